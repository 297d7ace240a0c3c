using JobScheduler.PostgreSql.Storage;
using Npgsql;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>Schema creation, versioning and forward-only migrations.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlSchemaTests(PostgreSqlServerFixture server)
{
    [Fact]
    public async Task FirstUse_CreatesSchemaTablesAndVersionRow()
    {
        var schema = server.NewSchemaName();
        await using (var store = server.CreateStore(schema))
        {
            Assert.Empty(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
        }

        var tables = await ListAsync($"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY table_name");
        Assert.Equal(["instances", "job_leases", "job_state", "occurrence_claims", "schema_version", "sessions"], tables);
        Assert.Equal(SchemaMigrations.LatestVersion, await server.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));
        Assert.Equal(SchemaMigrations.All.Count, (int)await server.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version"));
    }

    [Fact]
    public async Task FirstUse_CreatesTheIndexesTheQueriesUse()
    {
        var schema = server.NewSchemaName();
        await using (var store = server.CreateStore(schema))
        {
            await store.EnsureInitializedAsync(CancellationToken.None);
        }

        var indexes = await ListAsync($"SELECT indexdef FROM pg_indexes WHERE schemaname = '{schema}' AND tablename = 'sessions' ORDER BY indexname");
        Assert.Contains(indexes, i => i.Contains("(job_name, started_at DESC, seq DESC)", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("(status, started_at DESC, seq DESC)", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("(started_at DESC, seq DESC)", StringComparison.Ordinal) && !i.Contains("job_name", StringComparison.Ordinal) && !i.Contains("status", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("(ended_at)", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("UNIQUE", StringComparison.Ordinal) && i.Contains("(id)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reopen_IsIdempotent_AndKeepsTheData()
    {
        var schema = server.NewSchemaName();
        var session = new JobSession { Id = Guid.NewGuid(), JobName = "report", StartedAt = DateTimeOffset.UnixEpoch, Status = JobSessionStatus.Running };
        await using (var first = server.CreateStore(schema))
        {
            await first.RecordStartAsync(session, CancellationToken.None);
        }

        await using (var second = server.CreateStore(schema))
        {
            Assert.Equal(session.Id, Assert.Single(await second.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Id);
        }

        Assert.Equal(SchemaMigrations.All.Count, (int)await server.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version"));
    }

    [Fact]
    public async Task DatabaseAtANewerVersion_FailsClearly_AndIsNotChanged()
    {
        var schema = server.NewSchemaName();
        await using (var store = server.CreateStore(schema))
        {
            await store.EnsureInitializedAsync(CancellationToken.None);
        }

        var future = SchemaMigrations.LatestVersion + 1;
        await server.ExecuteAsync($"INSERT INTO \"{schema}\".schema_version (version, description) VALUES ({future}, 'from the future')");

        await using var newer = server.CreateStore(schema);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await newer.QueryAsync(new JobSessionQuery(), CancellationToken.None));

        Assert.Contains($"\"{schema}\" is at version {future}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"up to {SchemaMigrations.LatestVersion}", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade JobScheduler.PostgreSql", error.Message, StringComparison.Ordinal);
        Assert.Equal(future, await server.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));

        // Writes queued together fail the same way, each for its own caller.
        var writes = Enumerable.Range(0, 5).Select(_ => newer.RecordStartAsync(
            new JobSession { Id = Guid.NewGuid(), JobName = "report", Status = JobSessionStatus.Running }, CancellationToken.None).AsTask()).ToArray();
        foreach (var write in writes)
        {
            var writeError = await Assert.ThrowsAsync<InvalidOperationException>(() => write);
            Assert.Contains($"is at version {future}", writeError.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConcurrentInitializers_OnOneSchema_AllSucceedAndMigrateOnce()
    {
        for (var round = 0; round < 3; round++)
        {
            var schema = server.NewSchemaName();
            var stores = Enumerable.Range(0, 6).Select(_ => server.CreateStore(schema)).ToArray();
            try
            {
                await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.EnsureInitializedAsync(CancellationToken.None))));
                await Task.WhenAll(stores.Select(s => s.RecordStartAsync(
                    new JobSession { Id = Guid.NewGuid(), JobName = "report", Status = JobSessionStatus.Running }, CancellationToken.None).AsTask()));
            }
            finally
            {
                foreach (var store in stores)
                {
                    await store.DisposeAsync();
                }
            }

            Assert.Equal(SchemaMigrations.All.Count, (int)await server.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version"));
            Assert.Equal(6L, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".sessions"));
        }
    }

    [Fact]
    public async Task FailedInitialization_IsRetriedOnTheNextCall()
    {
        var database = "db_" + server.NewSchemaName();
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        await using var store = server.CreateStore(connectionString: connectionString);

        await Assert.ThrowsAsync<PostgresException>(async () => await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
        await server.ExecuteAsync($"CREATE DATABASE \"{database}\"");

        Assert.Empty(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task MigratedSchema_WorksForAUserWithoutCreatePrivileges()
    {
        var database = await server.CreateDatabaseAsync();
        var schema = server.NewSchemaName();
        await using (var owner = server.CreateStore(schema, database))
        {
            await owner.EnsureInitializedAsync(CancellationToken.None);
        }

        var role = "app_" + server.NewSchemaName();
        await server.ExecuteAsync($"""
            CREATE ROLE {role} LOGIN;
            REVOKE CREATE ON DATABASE "{new NpgsqlConnectionStringBuilder(database).Database}" FROM PUBLIC;
            GRANT USAGE ON SCHEMA "{schema}" TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO {role};
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role};
            """, database);
        var appConnection = new NpgsqlConnectionStringBuilder(database) { Username = role }.ConnectionString;

        await using var store = server.CreateStore(schema, appConnection);
        var running = new JobSession { Id = Guid.NewGuid(), JobName = "report", StartedAt = DateTimeOffset.UnixEpoch, Status = JobSessionStatus.Running };
        await store.RecordStartAsync(running, CancellationToken.None);
        await store.RecordEndAsync(running with { Status = JobSessionStatus.Succeeded, EndedAt = DateTimeOffset.UnixEpoch.AddSeconds(1) }, CancellationToken.None);
        await store.RecordOccurrenceAsync("report", DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.Equal(JobSessionStatus.Succeeded, Assert.Single(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Status);
        Assert.Equal(0, await store.TrimAsync(10, CancellationToken.None));
        Assert.Equal(1, await store.PurgeAsync(DateTimeOffset.MaxValue, CancellationToken.None));

        // And the same user cannot create a schema of its own, so the fast path is what made this work.
        await using var fresh = server.CreateStore(connectionString: appConnection);
        var denied = await Assert.ThrowsAsync<PostgresException>(async () => await fresh.EnsureInitializedAsync(CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }

    private async Task<List<string>> ListAsync(string sql)
    {
        await using var connection = await server.OpenUnpooledAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
