using JobScheduler.Sqlite.Database;
using JobScheduler.Sqlite.Sessions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobScheduler.Sqlite.Tests;

/// <summary>A database file in its own temporary folder, deleted (with its WAL files) when disposed.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "jobscheduler-sqlite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, "jobs.db");
    }

    public string Folder { get; }

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

    /// <summary>Creates a store on this file (the caller disposes it).</summary>
    public SqliteJobSessionStore CreateStore(
        string? extraSettings = null, int maxBatchSize = 1_000, IReadOnlyList<SqliteMigration>? migrations = null, ILogger? logger = null)
        => new(
            new SqliteStoreOptions { ConnectionString = ConnectionString + (extraSettings is null ? "" : ";" + extraSettings), MaxBatchSize = maxBatchSize },
            logger ?? NullLogger.Instance,
            migrations ?? SqliteSchema.Migrations);

    /// <summary>Opens a connection of the test's own, outside any store: no pooling, so nothing lingers.</summary>
    public SqliteConnection Open(SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = mode, Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Runs one statement on a connection of the test's own and returns the first column of the first row.</summary>
    public object? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public long Count(string sql) => Convert.ToInt64(Scalar(sql), System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is not a test failure.
        }
    }
}
