using JobScheduler.Sqlite.Database;
using JobScheduler.Sqlite.Sessions;
using Microsoft.Data.Sqlite;

namespace JobScheduler.Sqlite.Tests.Database;

public sealed class SqliteSchemaTests : IDisposable
{
    private static readonly SqliteMigration AddCounter = new(2, "test: counts its own runs", """
        CREATE TABLE migration_runs (run INTEGER NOT NULL);
        INSERT INTO migration_runs (run) VALUES (1);
        """);

    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Migrations_CountUpFromOneWithoutGaps()
    {
        Assert.Equal(Enumerable.Range(1, SqliteSchema.Migrations.Count), SqliteSchema.Migrations.Select(m => m.Version));
        Assert.Equal(SqliteSchema.Migrations.Count, SqliteSchema.CurrentVersion);
        Assert.All(SqliteSchema.Migrations, m => Assert.False(string.IsNullOrWhiteSpace(m.Description)));
    }

    [Fact]
    public async Task FirstUse_FreshFile_CreatesTablesAtTheCurrentVersion()
    {
        await using (var store = _database.CreateStore())
        {
            Assert.Empty(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
        }

        Assert.Equal(SqliteSchema.CurrentVersion, _database.Count("SELECT max(version) FROM schema_version"));
        Assert.Equal(SqliteSchema.Migrations.Count, _database.Count("SELECT count(*) FROM schema_version"));
        Assert.Equal(
            ["job_state", "schema_version", "sessions"],
            Tables(_database));
    }

    [Fact]
    public async Task FirstUse_MissingFolder_IsCreated()
    {
        var path = Path.Combine(_database.Folder, "nested", "deeper", "jobs.db");
        await using (var store = new SqliteJobSessionStore(
            new SqliteStoreOptions { ConnectionString = $"Data Source={path}" },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            SqliteSchema.Migrations))
        {
            await store.RecordStartAsync(new JobSession { Id = Guid.NewGuid(), JobName = "report" }, CancellationToken.None);
        }

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task FirstUse_IsWriteAheadLogged()
    {
        await using (var store = _database.CreateStore())
        {
            await store.QueryAsync(new JobSessionQuery(), CancellationToken.None);

            Assert.Equal("wal", _database.Scalar("PRAGMA journal_mode"));
        }

        // The mode is kept in the file: a plain connection opened later is in WAL mode too.
        Assert.Equal("wal", _database.Scalar("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Dispose_ClosesTheFile_FoldingTheLogIntoIt()
    {
        await using (var store = _database.CreateStore())
        {
            await store.RecordStartAsync(new JobSession { Id = Guid.NewGuid(), JobName = "report" }, CancellationToken.None);
            Assert.True(File.Exists(_database.Path + "-wal"));
        }

        // The last connection to close checkpoints the log and removes it: the .db file alone is a complete copy.
        Assert.False(File.Exists(_database.Path + "-wal"));
        Assert.False(File.Exists(_database.Path + "-shm"));
        Assert.Equal(1, _database.Count("SELECT count(*) FROM sessions"));
    }

    [Fact]
    public async Task Reopen_DoesNotRunMigrationsAgain()
    {
        IReadOnlyList<SqliteMigration> migrations = [.. SqliteSchema.Migrations, AddCounter];
        var id = Guid.NewGuid();
        await using (var first = _database.CreateStore(migrations: migrations))
        {
            await first.RecordStartAsync(new JobSession { Id = id, JobName = "report" }, CancellationToken.None);
        }

        await using (var second = _database.CreateStore(migrations: migrations))
        {
            Assert.Equal(id, Assert.Single(await second.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Id);
        }

        Assert.Equal(1, _database.Count("SELECT count(*) FROM migration_runs"));
        Assert.Equal(2, _database.Count("SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task Open_OlderVersion_AppliesOnlyTheNewMigrations()
    {
        var id = Guid.NewGuid();
        await using (var v1 = _database.CreateStore())
        {
            await v1.RecordStartAsync(new JobSession { Id = id, JobName = "report" }, CancellationToken.None);
        }

        await using (var v2 = _database.CreateStore(migrations: [.. SqliteSchema.Migrations, AddCounter]))
        {
            Assert.Equal(id, Assert.Single(await v2.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Id);
        }

        Assert.Equal(2, _database.Count("SELECT max(version) FROM schema_version"));
        Assert.Equal(1, _database.Count("SELECT count(*) FROM migration_runs"));
    }

    [Fact]
    public async Task Open_NewerVersionThanKnown_FailsNamingTheFileAndBothVersions()
    {
        await using (var store = _database.CreateStore())
        {
            await store.QueryAsync(new JobSessionQuery(), CancellationToken.None);
        }

        _database.Scalar("INSERT INTO schema_version (version, description) VALUES (99, 'from the future')");

        await using var newer = _database.CreateStore();
        var read = await Assert.ThrowsAsync<InvalidOperationException>(async () => await newer.QueryAsync(new JobSessionQuery(), CancellationToken.None));
        var write = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await newer.RecordStartAsync(new JobSession { Id = Guid.NewGuid(), JobName = "report" }, CancellationToken.None));

        foreach (var message in new[] { read.Message, write.Message })
        {
            Assert.Contains(_database.Path, message, StringComparison.Ordinal);
            Assert.Contains("schema version 99", message, StringComparison.Ordinal);
            Assert.Contains($"up to {SqliteSchema.CurrentVersion}", message, StringComparison.Ordinal);
        }

        Assert.Equal(0, _database.Count("SELECT count(*) FROM sessions"));
        Assert.Equal(99, _database.Count("SELECT max(version) FROM schema_version"));
    }

    [Fact]
    public async Task FirstUse_ManyCallersAndTwoStoresAtOnce_MigrateOnce()
    {
        // Two stores on one new file stand in for two processes starting together.
        IReadOnlyList<SqliteMigration> migrations = [.. SqliteSchema.Migrations, AddCounter];
        await using var a = _database.CreateStore(migrations: migrations);
        await using var b = _database.CreateStore(migrations: migrations);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var store = i % 2 == 0 ? a : b;
            await store.RecordStartAsync(new JobSession { Id = Guid.NewGuid(), JobName = $"job-{i}" }, CancellationToken.None);
            await store.QueryAsync(new JobSessionQuery { JobName = $"job-{i}" }, CancellationToken.None);
        }));

        Assert.Equal(16, _database.Count("SELECT count(*) FROM sessions"));
        Assert.Equal(1, _database.Count("SELECT count(*) FROM migration_runs"));
        Assert.Equal(2, _database.Count("SELECT count(*) FROM schema_version"));
    }

    [Theory]
    [InlineData("SELECT * FROM sessions ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("SELECT * FROM sessions WHERE job_name = 'a' ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("SELECT * FROM sessions WHERE status = 0 ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("SELECT * FROM sessions WHERE started_at >= 5 ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("SELECT * FROM sessions WHERE job_name = 'a' AND status = 2 ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("SELECT * FROM sessions WHERE job_name = 'a' AND started_at >= 5 ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("SELECT * FROM sessions WHERE status = 2 AND started_at >= 5 ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("SELECT * FROM sessions WHERE job_name = 'a' AND status = 2 AND started_at >= 5 ORDER BY started_at DESC, seq DESC LIMIT 10")]
    [InlineData("DELETE FROM sessions WHERE ended_at < 5")]
    public async Task QueryShapes_ReadAnIndexInOrder(string sql)
    {
        await using (var store = _database.CreateStore())
        {
            await store.QueryAsync(new JobSessionQuery(), CancellationToken.None);
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        var text = string.Join(" | ", plan);
        Assert.Contains("USING INDEX", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", text, StringComparison.Ordinal);
    }

    private static string[] Tables(TempDatabase database)
    {
        using var connection = database.Open(SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }
}
