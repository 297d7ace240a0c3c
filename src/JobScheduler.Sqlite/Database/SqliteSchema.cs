using System.Globalization;
using JobScheduler.Sqlite.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Sqlite.Database;

/// <summary>
/// The store's schema as an ordered list of forward migrations, and the code that brings a database up to date.
/// </summary>
/// <remarks>
/// <para>
/// <c>schema_version</c> holds one row per applied migration; the highest is the database's version. Migrating takes the
/// write lock (<c>BEGIN IMMEDIATE</c>) and reads the version again inside it, so two processes opening a new file at
/// once apply each step exactly once. A database whose version is higher than the last migration here was written
/// by a newer library and is refused rather than misread.
/// </para>
/// <para>
/// Times are <c>INTEGER</c> UTC ticks (100 ns) and enums are their <c>INTEGER</c> values (pinned by PublicAPI.Shipped.txt),
/// so every comparison and sort is an integer one. Jobs are keyed by <c>job_name</c> and occurrences by their UTC ticks
/// everywhere, so a later migration can add a cluster claim table keyed by (<c>job_name</c>, <c>occurrence</c>) beside
/// <c>sessions</c> and <c>job_state</c> without rewriting either.
/// </para>
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>Every migration, oldest first. Append only.</summary>
    public static IReadOnlyList<SqliteMigration> Migrations { get; } =
    [
        new(1, "sessions and job_state tables with their indexes", """
            CREATE TABLE sessions (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT, -- insertion order: breaks ties between equal started_at
                id           TEXT    NOT NULL UNIQUE,           -- JobSession.Id, lower-case 'D' format
                job_name     TEXT    NOT NULL,
                trigger_kind INTEGER NOT NULL,                  -- JobTrigger
                scheduled_at INTEGER NOT NULL,                  -- UTC ticks
                started_at   INTEGER NOT NULL,                  -- UTC ticks
                ended_at     INTEGER,                           -- UTC ticks; NULL while running
                duration     INTEGER,                           -- ticks; NULL while running
                status       INTEGER NOT NULL,                  -- JobSessionStatus
                attempt      INTEGER NOT NULL,
                error        TEXT,
                instance_id  TEXT,
                metadata     TEXT                               -- JSON object of strings; NULL when empty
            );

            -- seq is the rowid, which SQLite appends to every index: each index below ends in seq, so
            -- ORDER BY started_at DESC, seq DESC is read straight off it.
            CREATE INDEX ix_sessions_job_name_started_at ON sessions (job_name, started_at);
            CREATE INDEX ix_sessions_status_started_at ON sessions (status, started_at);
            CREATE INDEX ix_sessions_started_at ON sessions (started_at);
            CREATE INDEX ix_sessions_ended_at ON sessions (ended_at);

            CREATE TABLE job_state (
                job_name        TEXT    NOT NULL PRIMARY KEY,
                last_occurrence INTEGER                         -- UTC ticks of the last occurrence fired
            ) WITHOUT ROWID;
            """),
    ];

    /// <summary>Gets the version of the newest schema this library knows.</summary>
    public static int CurrentVersion => Migrations[^1].Version;

    /// <summary>Brings the database on <paramref name="connection"/> up to the last of <paramref name="migrations"/>.</summary>
    /// <returns>How many migrations were applied.</returns>
    /// <exception cref="InvalidOperationException">The database is newer than the last migration.</exception>
    public static int Migrate(SqliteConnection connection, string dataSource, IReadOnlyList<SqliteMigration> migrations, ILogger logger)
    {
        var known = migrations.Count == 0 ? 0 : migrations[^1].Version;

        // The common case, a database already up to date, needs no write lock.
        var found = ReadVersion(connection, transaction: null);
        if (found == known)
        {
            return 0;
        }

        if (found > known)
        {
            throw NewerThanKnown(dataSource, found, known, logger);
        }

        var applied = new List<SqliteMigration>();
        using (var transaction = connection.BeginTransaction()) // BEGIN IMMEDIATE: one migrator at a time
        {
            Execute(connection, transaction, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version     INTEGER NOT NULL PRIMARY KEY,
                    description TEXT    NOT NULL,
                    applied_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                );
                """);

            found = ReadVersion(connection, transaction);
            if (found > known)
            {
                throw NewerThanKnown(dataSource, found, known, logger);
            }

            foreach (var migration in migrations)
            {
                if (migration.Version <= found)
                {
                    continue;
                }

                Execute(connection, transaction, migration.Sql);
                using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_version (version, description) VALUES (@version, @description);";
                record.Parameters.AddWithValue("@version", migration.Version);
                record.Parameters.AddWithValue("@description", migration.Description);
                record.ExecuteNonQuery();
                applied.Add(migration);
            }

            transaction.Commit();
        }

        foreach (var migration in applied)
        {
            Log.SchemaMigratedMessage(logger, dataSource, migration.Version, migration.Description);
        }

        return applied.Count;
    }

    /// <summary>Returns the database's schema version: 0 for a new database.</summary>
    public static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static InvalidOperationException NewerThanKnown(string dataSource, int found, int known, ILogger logger)
    {
        Log.SchemaNewerThanKnownMessage(logger, dataSource, found, known);
        var library = typeof(SqliteSchema).Assembly.GetName().Version;
        return new InvalidOperationException(
            $"The SQLite session store '{dataSource}' has schema version {found}, but JobScheduler.Sqlite {library} knows schema versions " +
            $"up to {known}: the file was written by a newer JobScheduler.Sqlite. Upgrade the JobScheduler.Sqlite package, or point " +
            "UseSqliteStore at another file. The file was not changed.");
    }
}
