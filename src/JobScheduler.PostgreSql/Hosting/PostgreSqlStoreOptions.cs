using System.ComponentModel.DataAnnotations;
using JobScheduler.PostgreSql.Hosting;

namespace JobScheduler;

/// <summary>Options of the PostgreSQL session store, set through <c>UsePostgreSqlStore</c> and validated at host start.</summary>
/// <remarks>
/// The store creates <see cref="Schema"/> and its tables on first use and migrates them forward when a newer version of
/// the package needs more; see docs/sessions-and-stores.md for the tables and the permissions the database user needs.
/// </remarks>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>Gets or sets the Npgsql connection string of the database that holds the sessions.</summary>
    /// <value>Required; for example <c>Host=db;Database=app;Username=app;Password=…</c>. The default value is empty.</value>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the schema that holds the store's tables; it is created when missing. Several applications can share
    /// one database by giving each its own schema, and replicas of one application share theirs.
    /// </summary>
    /// <value>
    /// A plain lower-case identifier: a letter or underscore, then up to 62 letters, digits or underscores, not starting
    /// with <c>pg_</c>. The default value is <c>jobscheduler</c>.
    /// </value>
    [Required]
    public string Schema { get; set; } = PostgreSqlStoreDefaults.Schema;
}
