using System.ComponentModel.DataAnnotations;
using JobScheduler.Sqlite.Hosting;

namespace JobScheduler;

/// <summary>
/// Options of the SQLite session store, set with <c>UseSqliteStore(...)</c>. Validated when the host starts (and when
/// the store is first resolved).
/// </summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// Gets or sets the Microsoft.Data.Sqlite connection string, such as <c>Data Source=/var/lib/myapp/jobs.db</c>. The
    /// file and its folder are created when missing. A relative path is relative to the process's current directory.
    /// <c>Default Timeout</c> (seconds) is also how long a write waits for another process that holds the database
    /// lock. A private in-memory database (<c>:memory:</c> without <c>Cache=Shared</c>) is rejected: the store reads and
    /// writes through separate connections.
    /// <value>The default value is empty; a value is required.</value>
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the most writes committed in one transaction. Writes queued while a transaction commits are
    /// committed together in the next, so a burst of runs costs a few transactions rather than one each.
    /// <value>The default value is 1,000.</value>
    /// </summary>
    [Range(1, SqliteStoreDefaults.MaxBatchSizeLimit)]
    public int MaxBatchSize { get; set; } = SqliteStoreDefaults.MaxBatchSize;
}
