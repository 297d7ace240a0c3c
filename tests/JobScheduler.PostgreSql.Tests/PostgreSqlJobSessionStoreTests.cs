using JobScheduler.PostgreSql.Sessions;
using Npgsql;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>What the PostgreSQL store does beyond the shared contract: occurrences, retention, batching, hard text.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlJobSessionStoreTests(PostgreSqlServerFixture server) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly string _schema = server.NewSchemaName();
    private PostgreSqlJobSessionStore _store = null!;

    public Task InitializeAsync()
    {
        _store = server.CreateStore(_schema);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task GetLastOccurrence_NoneRecorded_ReturnsNull()
        => Assert.Null(await _store.GetLastOccurrenceAsync("report", CancellationToken.None));

    [Fact]
    public async Task RecordOccurrence_RoundTripsWithMicroseconds_PerJob()
    {
        var occurrence = T0.AddTicks(1_234_560); // 123,456 µs
        await _store.RecordOccurrenceAsync("report", occurrence, CancellationToken.None);
        await _store.RecordOccurrenceAsync("sync", T0, CancellationToken.None);

        Assert.Equal(occurrence, await _store.GetLastOccurrenceAsync("report", CancellationToken.None));
        Assert.Equal(T0, await _store.GetLastOccurrenceAsync("sync", CancellationToken.None));
    }

    [Fact]
    public async Task RecordOccurrence_KeepsTheLatest()
    {
        await _store.RecordOccurrenceAsync("report", T0.AddMinutes(5), CancellationToken.None);
        await _store.RecordOccurrenceAsync("report", T0, CancellationToken.None);                 // older: ignored
        Assert.Equal(T0.AddMinutes(5), await _store.GetLastOccurrenceAsync("report", CancellationToken.None));

        await _store.RecordOccurrenceAsync("report", T0.AddMinutes(6).ToOffset(TimeSpan.FromHours(2)), CancellationToken.None);
        Assert.Equal(T0.AddMinutes(6), await _store.GetLastOccurrenceAsync("report", CancellationToken.None));
    }

    [Fact]
    public async Task RecordOccurrence_ConcurrentWriters_KeepTheMaximum()
    {
        var occurrences = Enumerable.Range(0, 200).Select(i => T0.AddSeconds(i)).OrderBy(_ => Guid.NewGuid()).ToArray();

        await Parallel.ForEachAsync(occurrences, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (occurrence, ct) => await _store.RecordOccurrenceAsync("report", occurrence, ct));

        Assert.Equal(T0.AddSeconds(199), await _store.GetLastOccurrenceAsync("report", CancellationToken.None));
    }

    [Fact]
    public async Task Trim_KeepsTheNewestEndedSessionsOfEachJob_AndEveryRunningOne()
    {
        var report = Enumerable.Range(0, 5).Select(i => Ended("report", i)).ToArray();
        var sync = Enumerable.Range(0, 2).Select(i => Ended("sync", i)).ToArray();
        var oldRunning = Running("report", -10);
        foreach (var session in report.Concat(sync))
        {
            await _store.RecordEndAsync(session, CancellationToken.None);
        }

        await _store.RecordStartAsync(oldRunning, CancellationToken.None);

        var trimmed = await _store.TrimAsync(2, CancellationToken.None);

        Assert.Equal(3, trimmed);
        var left = (await _store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Select(s => s.Id).ToHashSet();
        Assert.Equal(new HashSet<Guid> { report[4].Id, report[3].Id, sync[0].Id, sync[1].Id, oldRunning.Id }, left);
        Assert.Equal(0, await _store.TrimAsync(2, CancellationToken.None));
    }

    [Fact]
    public async Task Trim_TiesOnStartedAt_KeepTheLastInserted()
    {
        var first = Ended("report", 1);
        var second = Ended("report", 1);
        await _store.RecordEndAsync(first, CancellationToken.None);
        await _store.RecordEndAsync(second, CancellationToken.None);

        Assert.Equal(1, await _store.TrimAsync(1, CancellationToken.None));

        Assert.Equal(second.Id, Assert.Single(await _store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Trim_LessThanOne_Throws(int max)
        => await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _store.TrimAsync(max, CancellationToken.None));

    [Fact]
    public async Task Writes_ManyAtOnce_ShareFewTransactions()
    {
        await _store.EnsureInitializedAsync(CancellationToken.None);
        var sessions = Enumerable.Range(0, 500).Select(i => Running("report", i)).ToArray();

        await Task.WhenAll(sessions.Select(s => _store.RecordStartAsync(s, CancellationToken.None).AsTask()));

        // Rows inserted by one transaction share its xmin: 500 writes queued at once take a handful, not 500.
        var transactions = await server.ScalarAsync<long>($"SELECT count(DISTINCT xmin::text) FROM \"{_schema}\".sessions");
        Assert.Equal(500L, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{_schema}\".sessions"));
        Assert.InRange(transactions, 5, 50);
    }

    [Fact]
    public async Task Writes_ManyAtOnce_AreBatched_AndAPoisonedWriteFailsAlone()
    {
        await _store.EnsureInitializedAsync(CancellationToken.None);
        await server.ExecuteAsync($"ALTER TABLE \"{_schema}\".sessions ADD CONSTRAINT no_poison CHECK (job_name <> 'poison')");
        var sessions = Enumerable.Range(0, 300).Select(i => Running(i == 150 ? "poison" : "report", i)).ToArray();

        var writes = sessions.Select(s => _store.RecordStartAsync(s, CancellationToken.None).AsTask()).ToArray();
        await Task.WhenAny(Task.WhenAll(writes));

        var poisoned = await Assert.ThrowsAsync<PostgresException>(() => writes[150]);
        Assert.Equal(PostgresErrorCodes.CheckViolation, poisoned.SqlState);
        Assert.All(writes.Where((_, i) => i != 150), w => Assert.True(w.IsCompletedSuccessfully));
        var stored = await _store.QueryAsync(new JobSessionQuery { Limit = 1000 }, CancellationToken.None);
        Assert.Equal(299, stored.Count);
        Assert.DoesNotContain(stored, s => s.JobName == "poison");
    }

    [Fact]
    public async Task Writes_KeepCallOrder_AcrossBatches()
    {
        // Queued without awaiting: start, end, and a late start that must not reopen it, for many sessions at once.
        var sessions = Enumerable.Range(0, 150).Select(i => Running("report", i)).ToArray();
        var writes = new List<Task>();
        foreach (var session in sessions)
        {
            writes.Add(_store.RecordStartAsync(session, CancellationToken.None).AsTask());
            writes.Add(_store.RecordEndAsync(session with { Status = JobSessionStatus.Succeeded, EndedAt = session.StartedAt.AddSeconds(1) }, CancellationToken.None).AsTask());
            writes.Add(_store.RecordStartAsync(session, CancellationToken.None).AsTask());
        }

        await Task.WhenAll(writes);

        var stored = await _store.QueryAsync(new JobSessionQuery { Limit = 1000 }, CancellationToken.None);
        Assert.Equal(150, stored.Count);
        Assert.All(stored, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.Equal(sessions.Select(s => s.Id).Reverse(), stored.Select(s => s.Id));
    }

    [Fact]
    public async Task RecordEnd_TextPostgreSqlCannotHold_IsStoredWithReplacementCharacters()
    {
        var session = Ended("report", 0) with
        {
            Error = "boom\0after nul, cut pair: \uD83D",
            InstanceId = "host\0a",
            Metadata = new Dictionary<string, string> { ["k\0"] = "v\uDE00", ["emoji"] = "\U0001F600" },
        };

        await _store.RecordEndAsync(session, CancellationToken.None);

        var stored = Assert.Single(await _store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
        Assert.Equal("boom\uFFFDafter nul, cut pair: \uFFFD", stored.Error);
        Assert.Equal("host\uFFFDa", stored.InstanceId);
        Assert.Equal("v\uFFFD", stored.Metadata["k\uFFFD"]);
        Assert.Equal("\U0001F600", stored.Metadata["emoji"]);
    }

    [Fact]
    public async Task Times_WithAnyOffset_RoundTripAsTheSameInstant()
    {
        var local = T0.ToOffset(TimeSpan.FromHours(-5));
        var session = Running("report", 0) with { ScheduledAt = local, StartedAt = local };

        await _store.RecordStartAsync(session, CancellationToken.None);

        var stored = Assert.Single(await _store.QueryAsync(new JobSessionQuery { Since = T0 }, CancellationToken.None));
        Assert.Equal(T0, stored.StartedAt);
        Assert.Equal(T0, stored.ScheduledAt);
    }

    [Fact]
    public async Task Dispose_FinishesQueuedWrites_ThenRefusesNewOnes()
    {
        var sessions = Enumerable.Range(0, 250).Select(i => Running("report", i)).ToArray();
        var writes = sessions.Select(s => _store.RecordStartAsync(s, CancellationToken.None).AsTask()).ToArray();

        await _store.DisposeAsync();

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await _store.RecordStartAsync(Running("report", 0), CancellationToken.None));
        await using var reader = server.CreateStore(_schema);
        Assert.Equal(250, (await reader.QueryAsync(new JobSessionQuery { Limit = 1000 }, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Writes_WhileTheServerIsUnreachable_FailEachCaller()
    {
        var port = new NpgsqlConnectionStringBuilder(server.ConnectionString).Port;
        await using var offline = server.CreateStore(_schema, new NpgsqlConnectionStringBuilder(server.ConnectionString) { Port = port == 1 ? 2 : 1 }.ConnectionString);

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await offline.RecordStartAsync(Running("report", 0), CancellationToken.None));
        Assert.IsNotType<PostgresException>(error);
    }

    private static JobSession Running(string job, double seconds) => new()
    {
        Id = Guid.NewGuid(),
        JobName = job,
        ScheduledAt = T0.AddSeconds(seconds),
        StartedAt = T0.AddSeconds(seconds),
        Status = JobSessionStatus.Running,
        InstanceId = "host-a",
    };

    private static JobSession Ended(string job, double seconds)
    {
        var running = Running(job, seconds);
        return running with { Status = JobSessionStatus.Succeeded, EndedAt = running.StartedAt.AddSeconds(1), Duration = TimeSpan.FromSeconds(1) };
    }
}
