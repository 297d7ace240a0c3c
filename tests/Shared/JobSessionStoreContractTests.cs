using System.Collections.Concurrent;

namespace JobScheduler.Tests.Contracts;

/// <summary>
/// The behaviour every <see cref="IJobSessionStore"/> must have. Each store's test class derives from this and
/// returns a fresh, empty store; write your own store against it (see docs/sessions-and-stores.md).
/// </summary>
public abstract class JobSessionStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private IJobSessionStore? _store;

    protected IJobSessionStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Returns a new, empty store. Called once per test.</summary>
    protected abstract Task<IJobSessionStore> CreateStoreAsync();

    /// <summary>Gives a buffering store the chance to make its writes visible before a read.</summary>
    protected virtual Task FlushAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
            case IDisposable disposable: disposable.Dispose(); break;
        }
    }

    /// <summary>Times with whole microseconds: the precision every store must keep.</summary>
    protected static DateTimeOffset At(double seconds) => T0.AddTicks((long)(seconds * 1_000_000) * 10);

    protected static JobSession Running(string job = "report", double startedAt = 0, int attempt = 1, Guid? id = null) => new()
    {
        Id = id ?? Guid.NewGuid(),
        JobName = job,
        Trigger = JobTrigger.Scheduled,
        ScheduledAt = At(startedAt) - TimeSpan.FromMilliseconds(3),
        StartedAt = At(startedAt),
        Status = JobSessionStatus.Running,
        Attempt = attempt,
        InstanceId = "host-a",
    };

    protected static JobSession Ended(JobSession running, JobSessionStatus status = JobSessionStatus.Succeeded, double seconds = 1.5, string? error = null) => running with
    {
        EndedAt = running.StartedAt + TimeSpan.FromSeconds(seconds),
        Duration = TimeSpan.FromSeconds(seconds),
        Status = status,
        Error = error,
    };

    private async Task<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query)
    {
        await FlushAsync();
        return await Store.QueryAsync(query, CancellationToken.None);
    }

    [Fact]
    public async Task RecordStart_ThenQuery_ReturnsRunningSessionWithEveryField()
    {
        var session = Running() with { Trigger = JobTrigger.CatchUp, Attempt = 3 };

        await Store.RecordStartAsync(session, CancellationToken.None);

        var stored = Assert.Single(await QueryAsync(new JobSessionQuery()));
        Assert.Equal(session.Id, stored.Id);
        Assert.Equal(session.JobName, stored.JobName);
        Assert.Equal(JobTrigger.CatchUp, stored.Trigger);
        Assert.Equal(session.ScheduledAt, stored.ScheduledAt);
        Assert.Equal(session.StartedAt, stored.StartedAt);
        Assert.Null(stored.EndedAt);
        Assert.Null(stored.Duration);
        Assert.Equal(JobSessionStatus.Running, stored.Status);
        Assert.Equal(3, stored.Attempt);
        Assert.Null(stored.Error);
        Assert.Equal("host-a", stored.InstanceId);
        Assert.Empty(stored.Metadata);
    }

    [Fact]
    public async Task RecordEnd_AfterStart_ReplacesTheSessionWithEveryField()
    {
        var running = Running();
        await Store.RecordStartAsync(running, CancellationToken.None);
        var ended = Ended(running, JobSessionStatus.Failed, 2.25, "System.InvalidOperationException: boom") with
        {
            Metadata = new Dictionary<string, string> { ["updated"] = "42", ["note"] = "ünïcødé ✓", ["empty"] = "" },
        };

        await Store.RecordEndAsync(ended, CancellationToken.None);

        var stored = Assert.Single(await QueryAsync(new JobSessionQuery()));
        Assert.Equal(ended.Id, stored.Id);
        Assert.Equal(ended.EndedAt, stored.EndedAt);
        Assert.Equal(TimeSpan.FromSeconds(2.25), stored.Duration);
        Assert.Equal(JobSessionStatus.Failed, stored.Status);
        Assert.Equal("System.InvalidOperationException: boom", stored.Error);
        Assert.Equal(ended.Metadata.OrderBy(p => p.Key), stored.Metadata.OrderBy(p => p.Key));
    }

    [Theory]
    [InlineData(JobSessionStatus.Succeeded)]
    [InlineData(JobSessionStatus.Failed)]
    [InlineData(JobSessionStatus.TimedOut)]
    [InlineData(JobSessionStatus.Cancelled)]
    [InlineData(JobSessionStatus.Skipped)]
    [InlineData(JobSessionStatus.Abandoned)]
    public async Task RecordEnd_WithoutStart_InsertsTheSession(JobSessionStatus status)
    {
        var ended = Ended(Running(), status, 0);

        await Store.RecordEndAsync(ended, CancellationToken.None);

        var stored = Assert.Single(await QueryAsync(new JobSessionQuery()));
        Assert.Equal(ended.Id, stored.Id);
        Assert.Equal(status, stored.Status);
    }

    [Fact]
    public async Task RecordStart_Twice_KeepsOneSession()
    {
        var running = Running();

        await Store.RecordStartAsync(running, CancellationToken.None);
        await Store.RecordStartAsync(running, CancellationToken.None);

        Assert.Single(await QueryAsync(new JobSessionQuery()));
    }

    [Fact]
    public async Task RecordStart_AfterEnd_DoesNotReopenTheSession()
    {
        // A retried write may arrive late; an ended session must never go back to Running.
        var running = Running();
        await Store.RecordEndAsync(Ended(running), CancellationToken.None);

        await Store.RecordStartAsync(running, CancellationToken.None);

        var stored = Assert.Single(await QueryAsync(new JobSessionQuery()));
        Assert.Equal(JobSessionStatus.Succeeded, stored.Status);
    }

    [Fact]
    public async Task RecordEnd_WithLongError_KeepsItWhole()
    {
        var error = string.Concat(Enumerable.Repeat("stack frame line ✓ ", 6_000)); // ~110,000 characters
        await Store.RecordEndAsync(Ended(Running(), JobSessionStatus.Failed, error: error), CancellationToken.None);

        var stored = Assert.Single(await QueryAsync(new JobSessionQuery()));
        Assert.Equal(error, stored.Error);
    }

    [Fact]
    public async Task Query_IsNewestStartedFirst_WithTiesInReverseInsertionOrder()
    {
        var first = Running(startedAt: 10);
        var tieA = Running(startedAt: 20);
        var tieB = Running(startedAt: 20);
        var newest = Running(startedAt: 30);
        foreach (var s in new[] { newest, first, tieA, tieB })
        {
            await Store.RecordStartAsync(s, CancellationToken.None);
        }

        var ids = (await QueryAsync(new JobSessionQuery())).Select(s => s.Id);

        Assert.Equal([newest.Id, tieB.Id, tieA.Id, first.Id], ids);
    }

    [Fact]
    public async Task Query_ByJobName_MatchesExactly()
    {
        await Store.RecordStartAsync(Running("report"), CancellationToken.None);
        await Store.RecordStartAsync(Running("report-weekly"), CancellationToken.None);
        await Store.RecordStartAsync(Running("sync"), CancellationToken.None);

        var sessions = await QueryAsync(new JobSessionQuery { JobName = "report" });

        Assert.Equal("report", Assert.Single(sessions).JobName);
    }

    [Fact]
    public async Task Query_ByStatus_ReturnsOnlyThatStatus()
    {
        var ok = Running(startedAt: 1);
        var failed = Running(startedAt: 2);
        await Store.RecordEndAsync(Ended(ok), CancellationToken.None);
        await Store.RecordEndAsync(Ended(failed, JobSessionStatus.Failed), CancellationToken.None);
        await Store.RecordStartAsync(Running(startedAt: 3), CancellationToken.None);

        var sessions = await QueryAsync(new JobSessionQuery { Status = JobSessionStatus.Failed });

        Assert.Equal(failed.Id, Assert.Single(sessions).Id);
    }

    [Fact]
    public async Task Query_Since_FiltersOnStartedAtInclusive()
    {
        var before = Running(startedAt: 9.999999);
        var exactly = Running(startedAt: 10);
        var after = Running(startedAt: 11);
        foreach (var s in new[] { before, exactly, after })
        {
            await Store.RecordStartAsync(s, CancellationToken.None);
        }

        var ids = (await QueryAsync(new JobSessionQuery { Since = At(10) })).Select(s => s.Id);

        Assert.Equal([after.Id, exactly.Id], ids);
    }

    [Fact]
    public async Task Query_CombinedFilters_AllApply()
    {
        var match = Running("report", startedAt: 20);
        await Store.RecordEndAsync(Ended(match, JobSessionStatus.Failed), CancellationToken.None);
        await Store.RecordEndAsync(Ended(Running("report", startedAt: 5), JobSessionStatus.Failed), CancellationToken.None);
        await Store.RecordEndAsync(Ended(Running("report", startedAt: 25)), CancellationToken.None);
        await Store.RecordEndAsync(Ended(Running("sync", startedAt: 25), JobSessionStatus.Failed), CancellationToken.None);

        var sessions = await QueryAsync(new JobSessionQuery { JobName = "report", Status = JobSessionStatus.Failed, Since = At(10) });

        Assert.Equal(match.Id, Assert.Single(sessions).Id);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Query_Limit_ReturnsAtMostThatManyNewest(int limit)
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.RecordStartAsync(Running(startedAt: i), CancellationToken.None);
        }

        var sessions = await QueryAsync(new JobSessionQuery { Limit = limit });

        Assert.Equal(Math.Min(limit, 5), sessions.Count);
        Assert.Equal(At(4), sessions[0].StartedAt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Query_NonPositiveLimit_Throws(int limit)
        => await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.QueryAsync(new JobSessionQuery { Limit = limit }, CancellationToken.None));

    [Fact]
    public async Task GetSessionsByJobAndGetRunning_UseTheStore()
    {
        var running = Running("report", startedAt: 2);
        await Store.RecordStartAsync(running, CancellationToken.None);
        await Store.RecordEndAsync(Ended(Running("report", startedAt: 1)), CancellationToken.None);
        await Store.RecordStartAsync(Running("sync", startedAt: 3), CancellationToken.None);
        await FlushAsync();

        var byJob = await Store.GetSessionsByJobAsync("report");
        var runningNow = await Store.GetRunningSessionsAsync();

        Assert.Equal(2, byJob.Count);
        Assert.Equal(running.Id, byJob[0].Id);
        Assert.Equal(["sync", "report"], runningNow.Select(s => s.JobName));
    }

    [Fact]
    public async Task Purge_RemovesOnlyEndedSessionsOlderThanTheCutoff()
    {
        var old = Ended(Running(startedAt: 0), seconds: 1);       // ended at 1
        var recent = Ended(Running(startedAt: 10), seconds: 1);   // ended at 11
        var stillRunning = Running(startedAt: -100);
        await Store.RecordEndAsync(old, CancellationToken.None);
        await Store.RecordEndAsync(recent, CancellationToken.None);
        await Store.RecordStartAsync(stillRunning, CancellationToken.None);
        await FlushAsync();

        var purged = await Store.PurgeAsync(At(5), CancellationToken.None);

        Assert.Equal(1, purged);
        var left = (await QueryAsync(new JobSessionQuery())).Select(s => s.Id).ToHashSet();
        Assert.Equal(new HashSet<Guid> { recent.Id, stillRunning.Id }, left);
    }

    [Fact]
    public async Task ConcurrentWriters_LoseNothing()
    {
        const int Writers = 8, PerWriter = 250;
        var ids = new ConcurrentBag<Guid>();

        await Parallel.ForEachAsync(Enumerable.Range(0, Writers), new ParallelOptions { MaxDegreeOfParallelism = Writers }, async (writer, ct) =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var running = Running($"job-{writer}", startedAt: i);
                await Store.RecordStartAsync(running, ct);
                await Store.RecordEndAsync(Ended(running), ct);
                ids.Add(running.Id);
            }
        });

        var stored = await QueryAsync(new JobSessionQuery { Limit = Writers * PerWriter + 10 });
        Assert.Equal(Writers * PerWriter, stored.Count);
        Assert.All(stored, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.Equal(ids.ToHashSet(), stored.Select(s => s.Id).ToHashSet());
    }
}
