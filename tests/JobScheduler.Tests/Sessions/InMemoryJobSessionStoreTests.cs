using System.Collections.Concurrent;
using JobScheduler.Sessions;
using Microsoft.Extensions.Options;

namespace JobScheduler.Tests.Sessions;

/// <summary>The default store: every field kept, queries as the contract says, bounded per job, safe for concurrent use.</summary>
public sealed class InMemoryJobSessionStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private static InMemoryJobSessionStore CreateSut(int maxSessionsPerJob = 100)
        => new(Options.Create(new InMemorySessionStoreOptions { MaxSessionsPerJob = maxSessionsPerJob }));

    private static JobSession Running(string job = "report", double startedAt = 0) => new()
    {
        Id = Guid.NewGuid(),
        JobName = job,
        ScheduledAt = T0.AddSeconds(startedAt),
        StartedAt = T0.AddSeconds(startedAt),
        Status = JobSessionStatus.Running,
        InstanceId = "node-a",
    };

    private static JobSession Ended(JobSession running, JobSessionStatus status = JobSessionStatus.Succeeded, double seconds = 1) => running with
    {
        EndedAt = running.StartedAt.AddSeconds(seconds),
        Duration = TimeSpan.FromSeconds(seconds),
        Status = status,
    };

    private static async Task<IReadOnlyList<JobSession>> QueryAsync(IJobSessionStore store, JobSessionQuery? query = null)
        => await store.QueryAsync(query ?? new JobSessionQuery { Limit = int.MaxValue }, None);

    private static async Task<List<Guid>> IdsAsync(IJobSessionStore store, JobSessionQuery? query = null)
        => [.. (await QueryAsync(store, query)).Select(s => s.Id)];

    /// <summary>Writes each ended session's start (as Running) and then its end, one session after the other.</summary>
    private static async Task StartThenEndEachAsync(InMemoryJobSessionStore store, IEnumerable<JobSession> ended)
    {
        foreach (var session in ended)
        {
            await store.RecordStartAsync(session with { Status = JobSessionStatus.Running, EndedAt = null, Duration = null }, None);
            await store.RecordEndAsync(session, None);
        }
    }

    // ---- writes -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task RecordStartThenEnd_RoundTripsEveryField()
    {
        var store = CreateSut();
        var running = new JobSession
        {
            Id = Guid.NewGuid(),
            JobName = "daily-report",
            Trigger = JobTrigger.CatchUp,
            ScheduledAt = T0,
            StartedAt = T0.AddMilliseconds(3),
            Status = JobSessionStatus.Running,
            Attempt = 3,
            InstanceId = "node-a",
        };
        var ended = running with
        {
            EndedAt = T0.AddSeconds(42),
            Duration = TimeSpan.FromSeconds(42) - TimeSpan.FromMilliseconds(3),
            Status = JobSessionStatus.TimedOut,
            Error = "The job exceeded its timeout of 00:00:30.",
            Metadata = new Dictionary<string, string> { ["rows"] = "1200", ["note"] = "ünïcødé ✓", ["empty"] = "" },
        };

        await store.RecordStartAsync(running, None);
        var whileRunning = Assert.Single(await QueryAsync(store));
        await store.RecordEndAsync(ended, None);
        var stored = Assert.Single(await QueryAsync(store));

        Assert.Equal(running, whileRunning);
        Assert.Equal(ended.Id, stored.Id);
        Assert.Equal("daily-report", stored.JobName);
        Assert.Equal(JobTrigger.CatchUp, stored.Trigger);
        Assert.Equal(T0, stored.ScheduledAt);
        Assert.Equal(T0.AddMilliseconds(3), stored.StartedAt);
        Assert.Equal(T0.AddSeconds(42), stored.EndedAt);
        Assert.Equal(TimeSpan.FromMilliseconds(41_997), stored.Duration);
        Assert.Equal(JobSessionStatus.TimedOut, stored.Status);
        Assert.Equal(3, stored.Attempt);
        Assert.Equal("The job exceeded its timeout of 00:00:30.", stored.Error);
        Assert.Equal("node-a", stored.InstanceId);
        Assert.Equal(
            [new("empty", ""), new("note", "ünïcødé ✓"), new KeyValuePair<string, string>("rows", "1200")],
            stored.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(JobSessionStatus.Skipped)]
    [InlineData(JobSessionStatus.Cancelled)]
    [InlineData(JobSessionStatus.Abandoned)]
    public async Task RecordEnd_WithoutStart_InsertsTheSession(JobSessionStatus status)
    {
        var store = CreateSut();
        var ended = Ended(Running(), status, 0);

        await store.RecordEndAsync(ended, None);

        Assert.Equal(ended, Assert.Single(await QueryAsync(store)));
    }

    [Fact]
    public async Task RecordEnd_AfterStart_ReplacesInPlace()
    {
        var store = CreateSut();
        var first = Running(startedAt: 5);
        var second = Running(startedAt: 5); // same start: insertion order breaks the tie
        await store.RecordStartAsync(first, None);
        await store.RecordStartAsync(second, None);

        await store.RecordEndAsync(Ended(first), None);

        var sessions = await QueryAsync(store);
        Assert.Equal([second.Id, first.Id], sessions.Select(s => s.Id));
        Assert.Equal([JobSessionStatus.Running, JobSessionStatus.Succeeded], sessions.Select(s => s.Status));
    }

    [Fact]
    public async Task EngineWrites_IntoTheJobsLog_AreTheSessionsTheInterfaceWritesAndReads()
    {
        // The engine writes into the log it keeps for the job, without the id search; its writes and the interface's
        // must meet: an end finds the start a read wrote, and an end written either way replaces, never duplicates.
        var store = CreateSut();
        var log = store.LogOf("report");
        var first = Running(startedAt: 0);
        var attempt = new Attempt(StartOf(first));
        using var reads = store.OnBeforeRead(() => store.WriteDeferredStart(log, attempt));
        Assert.Equal([first.Id], await IdsAsync(store)); // the read wrote the start
        await store.RecordEndAsync(Ended(first, JobSessionStatus.Failed), None);

        var second = Running(startedAt: 10);
        await store.RecordStartAsync(second, None);
        store.RecordEnd(store.LogOf("report"), Ended(second));

        var sessions = await QueryAsync(store);
        Assert.Same(log, store.LogOf("report"));
        Assert.Equal([second.Id, first.Id], sessions.Select(s => s.Id));
        Assert.Equal([JobSessionStatus.Succeeded, JobSessionStatus.Failed], sessions.Select(s => s.Status));
    }

    [Fact]
    public async Task DeferredStart_WrittenByARead_ReadsBackAsTheRunningSession()
    {
        // The engine defers a start and keeps it as values; what a reader gets must be the session it stands for.
        var store = CreateSut();
        var running = Running() with { Attempt = 2, Trigger = JobTrigger.CatchUp, ScheduledAt = T0.AddMinutes(-5).ToOffset(TimeSpan.FromHours(2)) };
        var attempt = new Attempt(StartOf(running));
        using var reads = store.OnBeforeRead(() => store.WriteDeferredStart(store.LogOf("report"), attempt));

        var read = Assert.Single(await QueryAsync(store));
        Assert.Equal(running, read);
        Assert.Equal(running.ScheduledAt.Offset, read.ScheduledAt.Offset);
        Assert.Equal(DeferredStartState.Written, attempt.StartState);
        Assert.Single(await QueryAsync(store)); // a second read writes nothing more
    }

    [Fact]
    public async Task IsUnwritten_UntilTheFirstWrite_AndNeverAgainAfterIt()
    {
        var store = CreateSut();
        Assert.True(store.IsUnwritten);

        await QueryAsync(store);
        store.LogOf("report");
        Assert.True(store.IsUnwritten); // reads and an empty log write nothing

        var running = Running();
        await store.RecordStartAsync(running, None);
        Assert.False(store.IsUnwritten);

        await store.PurgeAsync(DateTimeOffset.MaxValue, None);
        await store.RecordEndAsync(Ended(running), None);
        await store.PurgeAsync(DateTimeOffset.MaxValue, None);
        Assert.Empty(await QueryAsync(store));
        Assert.False(store.IsUnwritten); // "never written", not "empty": a store that was written stays read at start

        var endOnly = CreateSut();
        await endOnly.RecordEndAsync(Ended(Running()), None);
        Assert.False(endOnly.IsUnwritten);
    }

    [Fact]
    public async Task DeferredStart_WrittenByARead_IsReplacedByItsEnd()
    {
        var store = CreateSut();
        var running = Running();
        var attempt = new Attempt(StartOf(running));
        using var reads = store.OnBeforeRead(() => store.WriteDeferredStart(store.LogOf("report"), attempt));
        Assert.Equal(JobSessionStatus.Running, Assert.Single(await QueryAsync(store)).Status);

        store.RecordEnd(store.LogOf("report"), Ended(running), attempt);

        var read = Assert.Single(await QueryAsync(store));
        Assert.Equal(Ended(running), read);
        Assert.Equal(DeferredStartState.Ended, attempt.StartState);
    }

    [Fact]
    public async Task DeferredStart_EndedBeforeAnyRead_IsOneSessionAndNeverRunning()
    {
        var store = CreateSut();
        var running = Running();
        var attempt = new Attempt(StartOf(running));
        store.RecordEnd(store.LogOf("report"), Ended(running), attempt);

        // A read after the end must not write the start it no longer owes.
        using var reads = store.OnBeforeRead(() => store.WriteDeferredStart(store.LogOf("report"), attempt));

        Assert.Equal(Ended(running), Assert.Single(await QueryAsync(store)));
        Assert.Empty(await store.GetRunningSessionsAsync());
    }

    [Fact]
    public async Task DeferredStarts_AreWrittenBeforePurgeAndTrim_AndNotAfterTheirRegistrationIsDisposed()
    {
        var store = CreateSut();
        var attempt = new Attempt(StartOf(Running()));
        var reads = store.OnBeforeRead(() => store.WriteDeferredStart(store.LogOf("report"), attempt));

        Assert.Equal(0, await store.PurgeAsync(T0.AddDays(1), None)); // a Running session is never purged
        Assert.Equal(DeferredStartState.Written, attempt.StartState);

        var second = new Attempt(StartOf(Running(startedAt: 1)));
        reads.Dispose();
        using var others = store.OnBeforeRead(() => store.WriteDeferredStart(store.LogOf("report"), second));
        Assert.Equal(0, await store.TrimAsync(1, None));
        Assert.Equal(DeferredStartState.Written, second.StartState);

        reads.Dispose(); // twice: nothing happens
        Assert.Equal(2, (await QueryAsync(store)).Count);
    }

    [Fact]
    public async Task EngineWrites_IntoTheJobsLog_KeepTheBound()
    {
        var store = CreateSut(maxSessionsPerJob: 3);
        var log = store.LogOf("report");
        var sessions = Enumerable.Range(0, 20).Select(i => Running(startedAt: i)).ToList();
        foreach (var session in sessions)
        {
            var attempt = new Attempt(StartOf(session));
            if (session.StartedAt.Second % 2 == 0)
            {
                store.WriteDeferredStart(log, attempt); // every other start read while the attempt was in progress
            }

            store.RecordEnd(log, Ended(session), attempt);
        }

        Assert.Equal([sessions[19].Id, sessions[18].Id, sessions[17].Id], await IdsAsync(store));
        Assert.All(await QueryAsync(store), s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }

    private sealed class Attempt(AttemptStart start) : IDeferredStart
    {
        public DeferredStartState StartState { get; set; } = DeferredStartState.Deferred;

        public AttemptStart CurrentStart => start;
    }

    private static AttemptStart StartOf(JobSession running)
        => new(running.Id, running.Trigger, running.ScheduledAt, running.StartedAt, running.Attempt, running.InstanceId);

    [Fact]
    public async Task Writes_NullSession_Throw()
    {
        var store = CreateSut();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.RecordStartAsync(null!, None));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.RecordEndAsync(null!, None));
    }

    // ---- queries ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Query_ByJobName_MatchesExactlyAndCaseSensitively()
    {
        var store = CreateSut();
        var report = Running("report");
        await store.RecordStartAsync(report, None);
        await store.RecordStartAsync(Running("Report"), None);
        await store.RecordStartAsync(Running("report-weekly"), None);

        Assert.Equal([report.Id], await IdsAsync(store, new JobSessionQuery { JobName = "report" }));
        Assert.Empty(await QueryAsync(store, new JobSessionQuery { JobName = "ghost" }));
    }

    [Fact]
    public async Task Query_ByStatus_ReturnsOnlyThatStatus()
    {
        var store = CreateSut();
        var failedA = Ended(Running("a", 1), JobSessionStatus.Failed);
        var failedB = Ended(Running("b", 2), JobSessionStatus.Failed);
        await store.RecordEndAsync(failedA, None);
        await store.RecordEndAsync(Ended(Running("a", 3)), None);
        await store.RecordEndAsync(failedB, None);
        await store.RecordStartAsync(Running("a", 4), None);

        Assert.Equal([failedB.Id, failedA.Id], await IdsAsync(store, new JobSessionQuery { Status = JobSessionStatus.Failed }));
        Assert.Single(await QueryAsync(store, new JobSessionQuery { Status = JobSessionStatus.Running }));
    }

    [Fact]
    public async Task Query_Since_FiltersOnStartedAtInclusive()
    {
        var store = CreateSut();
        var before = Running(startedAt: 9.999);
        var endsAfterSince = Ended(Running(startedAt: 5), seconds: 60); // started before, ended after: excluded
        var exactly = Running(startedAt: 10);
        var after = Running(startedAt: 11);
        foreach (var session in new[] { before, exactly, after })
        {
            await store.RecordStartAsync(session, None);
        }

        await store.RecordEndAsync(endsAfterSince, None);

        Assert.Equal([after.Id, exactly.Id], await IdsAsync(store, new JobSessionQuery { Since = T0.AddSeconds(10) }));
    }

    [Fact]
    public async Task Query_CombinedFilters_AllApply()
    {
        var store = CreateSut();
        var match = Ended(Running("report", 20), JobSessionStatus.Failed);
        await store.RecordEndAsync(match, None);
        await store.RecordEndAsync(Ended(Running("report", 5), JobSessionStatus.Failed), None);
        await store.RecordEndAsync(Ended(Running("report", 25)), None);
        await store.RecordEndAsync(Ended(Running("sync", 25), JobSessionStatus.Failed), None);

        var ids = await IdsAsync(store, new JobSessionQuery { JobName = "report", Status = JobSessionStatus.Failed, Since = T0.AddSeconds(10) });

        Assert.Equal([match.Id], ids);
    }

    [Fact]
    public async Task Query_IsNewestStartedFirst_AcrossJobs_WithTiesInReverseInsertionOrder()
    {
        var store = CreateSut();
        var oldest = Running("a", 10);
        var tieFirst = Running("b", 20);
        var tieSecond = Running("a", 20);
        var tieThird = Running("c", 20);
        var newest = Running("b", 30);
        foreach (var session in new[] { newest, tieFirst, oldest, tieSecond, tieThird })
        {
            await store.RecordStartAsync(session, None);
        }

        Assert.Equal([newest.Id, tieThird.Id, tieSecond.Id, tieFirst.Id, oldest.Id], await IdsAsync(store));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(5, 5)]
    [InlineData(100, 5)]
    [InlineData(int.MaxValue, 5)]
    public async Task Query_Limit_ReturnsTheNewestUpToTheLimit(int limit, int expected)
    {
        var store = CreateSut();
        for (var i = 0; i < 5; i++)
        {
            await store.RecordStartAsync(Running(startedAt: i), None);
        }

        var sessions = await QueryAsync(store, new JobSessionQuery { Limit = limit });

        Assert.Equal(Enumerable.Range(0, expected).Select(i => T0.AddSeconds(4 - i)), sessions.Select(s => s.StartedAt));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public async Task Query_NonPositiveLimit_ThrowsArgumentOutOfRange(int limit)
    {
        var store = CreateSut();

        var exception = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.QueryAsync(new JobSessionQuery { Limit = limit }, None));

        Assert.Equal("Limit", exception.ParamName);
    }

    [Fact]
    public async Task Query_NullQuery_ThrowsArgumentNull()
        => await Assert.ThrowsAsync<ArgumentNullException>(async () => await CreateSut().QueryAsync(null!, None));

    [Fact]
    public async Task Query_ResultIsASnapshot()
    {
        var store = CreateSut();
        var running = Running();
        await store.RecordStartAsync(running, None);

        var snapshot = await QueryAsync(store);
        await store.RecordEndAsync(Ended(running), None);
        await store.RecordStartAsync(Running(), None);

        Assert.Equal(JobSessionStatus.Running, Assert.Single(snapshot).Status);
    }

    // ---- purge --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Purge_RemovesOnlyEndedSessionsOlderThanTheCutoff_AndReturnsTheCount()
    {
        var store = CreateSut();
        var oldA = Ended(Running("a", 0), seconds: 1);          // ended at 1
        var oldB = Ended(Running("b", 2), seconds: 2);          // ended at 4
        var atCutoff = Ended(Running("a", 3), seconds: 2);      // ended at 5: not before the cutoff
        var recent = Ended(Running("b", 10), seconds: 1);       // ended at 11
        var stillRunning = Running("a", -100);                  // started long ago, never ended
        foreach (var session in new[] { oldA, oldB, atCutoff, recent })
        {
            await store.RecordEndAsync(session, None);
        }

        await store.RecordStartAsync(stillRunning, None);

        var purged = await store.PurgeAsync(T0.AddSeconds(5), None);

        Assert.Equal(2, purged);
        Assert.Equal([recent.Id, atCutoff.Id, stillRunning.Id], await IdsAsync(store));
        Assert.Equal(0, await store.PurgeAsync(T0.AddSeconds(5), None));
    }

    [Theory]
    [InlineData(5)]   // found by scanning the log
    [InlineData(300)] // past the scan limit: found through the id set
    public async Task Writes_OfAnOlderSession_InALongLog_FindItById(int sessions)
    {
        var store = CreateSut(maxSessionsPerJob: 1_000);
        var running = Enumerable.Range(0, sessions).Select(i => Running(startedAt: i)).ToList();
        foreach (var session in running)
        {
            await store.RecordStartAsync(session, None);
        }

        var oldest = running[0];
        await store.RecordEndAsync(Ended(oldest), None);
        await store.RecordStartAsync(oldest, None); // a late start of an ended session is a no-op
        await store.RecordStartAsync(running[^1], None); // and so is a repeated one

        var stored = await QueryAsync(store);
        Assert.Equal(sessions, stored.Count);
        Assert.Equal(JobSessionStatus.Succeeded, stored.Single(s => s.Id == oldest.Id).Status);
        Assert.Equal(sessions - 1, stored.Count(s => s.Status == JobSessionStatus.Running));
    }

    // ---- bound per job ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Bound_DropsTheOldestEndedSessions()
    {
        var store = CreateSut(maxSessionsPerJob: 3);
        var sessions = Enumerable.Range(0, 5).Select(i => Ended(Running(startedAt: i))).ToList();
        foreach (var session in sessions)
        {
            await store.RecordEndAsync(session, None);
        }

        Assert.Equal([sessions[4].Id, sessions[3].Id, sessions[2].Id], await IdsAsync(store));
    }

    [Fact]
    public async Task Bound_NeverDropsARunningSession()
    {
        var store = CreateSut(maxSessionsPerJob: 2);
        var longRunning = Running(startedAt: 0);
        await store.RecordStartAsync(longRunning, None);
        var ended = Enumerable.Range(1, 3).Select(i => Ended(Running(startedAt: i))).ToList();
        foreach (var session in ended)
        {
            await store.RecordEndAsync(session, None);
        }

        Assert.Equal([ended[2].Id, longRunning.Id], await IdsAsync(store));
    }

    [Fact]
    public async Task Bound_WithTheOldestStillRunning_KeepsItThroughStartsAndEnds_ThenDropsItOnceEnded()
    {
        // The log counts its running sessions to drop the oldest without reading it; a long run that is the oldest must
        // still be seen as running, and its end must be counted.
        var store = CreateSut(maxSessionsPerJob: 2);
        var log = store.LogOf("report");
        var longRunning = Running(startedAt: 0);
        store.WriteDeferredStart(log, new Attempt(StartOf(longRunning))); // a read while it runs wrote its start
        var later = Enumerable.Range(1, 5).Select(i => Running(startedAt: i)).ToList();
        foreach (var session in later)
        {
            store.WriteDeferredStart(log, new Attempt(StartOf(session)));
            store.RecordEnd(log, Ended(session));
        }

        Assert.Equal([later[4].Id, longRunning.Id], await IdsAsync(store));

        store.RecordEnd(log, Ended(longRunning, seconds: 10));
        var next = Running(startedAt: 20);
        store.WriteDeferredStart(log, new Attempt(StartOf(next)));

        Assert.Equal([next.Id, later[4].Id], await IdsAsync(store));
    }

    [Fact]
    public async Task Bound_WhenEverySessionIsRunning_KeepsThemAll()
    {
        var store = CreateSut(maxSessionsPerJob: 2);
        for (var i = 0; i < 4; i++)
        {
            await store.RecordStartAsync(Running(startedAt: i), None);
        }

        Assert.Equal(4, (await QueryAsync(store)).Count);
    }

    [Fact]
    public async Task Bound_AfterRunningSessionsEnd_IsRestored()
    {
        var store = CreateSut(maxSessionsPerJob: 2);
        var running = Enumerable.Range(0, 4).Select(i => Running(startedAt: i)).ToList();
        foreach (var session in running)
        {
            await store.RecordStartAsync(session, None);
        }

        foreach (var session in running)
        {
            await store.RecordEndAsync(Ended(session), None);
        }

        Assert.Equal([running[3].Id, running[2].Id], await IdsAsync(store));

        var next = Ended(Running(startedAt: 10));
        await store.RecordEndAsync(next, None);

        Assert.Equal([next.Id, running[3].Id], await IdsAsync(store));
    }

    [Fact]
    public async Task Bound_AfterTheLogWrapsAround_KeepsTheNewestInOrder()
    {
        // 20 sessions through a bound of 3: the ring's head has moved past its end several times.
        var store = CreateSut(maxSessionsPerJob: 3);
        var sessions = Enumerable.Range(0, 20).Select(i => Ended(Running(startedAt: i))).ToList();
        await StartThenEndEachAsync(store, sessions);

        Assert.Equal([sessions[19].Id, sessions[18].Id, sessions[17].Id], await IdsAsync(store));
        Assert.All(await QueryAsync(store), s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }

    [Fact]
    public async Task Bound_LargerThanTheFirstReservation_GrowsToItAndKeepsTheNewestInOrder()
    {
        // 1,000 is above the 256 slots reserved at the first write: the log grows twice to reach its bound, then wraps.
        var store = CreateSut(maxSessionsPerJob: 1_000);
        var sessions = Enumerable.Range(0, 1_300).Select(i => Ended(Running(startedAt: i))).ToList();
        await StartThenEndEachAsync(store, sessions);

        var kept = await IdsAsync(store);
        Assert.Equal(sessions.Skip(300).Reverse().Select(s => s.Id), kept);
        Assert.All(await QueryAsync(store), s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }

    [Fact]
    public async Task Bound_RunningSessionsHeldPastTheBoundOfAWrappedLog_GrowItInOrder()
    {
        var store = CreateSut(maxSessionsPerJob: 4);
        for (var i = 0; i < 7; i++)
        {
            await store.RecordEndAsync(Ended(Running(startedAt: i)), None); // wraps the ring of 5 slots
        }

        var running = Enumerable.Range(10, 6).Select(i => Running(startedAt: i)).ToList();
        foreach (var session in running)
        {
            await store.RecordStartAsync(session, None); // every ended one goes, then the ring must grow
        }

        Assert.Equal(running.Select(s => s.Id).Reverse(), await IdsAsync(store));

        await store.RecordEndAsync(Ended(running[1]), None);
        await store.RecordEndAsync(Ended(running[4]), None);
        await store.RecordStartAsync(Running(startedAt: 20), None);

        // Back within the bound of 4: the two that ended go (oldest first), every running one stays.
        var kept = await QueryAsync(store);
        Assert.Equal(5, kept.Count);
        Assert.All(kept, s => Assert.Equal(JobSessionStatus.Running, s.Status));
    }

    [Fact]
    public async Task Purge_OfAWrappedLog_KeepsTheRestInOrder()
    {
        var store = CreateSut(maxSessionsPerJob: 4);
        var sessions = Enumerable.Range(0, 10).Select(i => Ended(Running(startedAt: i), seconds: 1)).ToList();
        foreach (var session in sessions)
        {
            await store.RecordEndAsync(session, None);
        }

        var purged = await store.PurgeAsync(T0.AddSeconds(9), None); // ended at 7 and 8 go; 9 and 10 stay

        Assert.Equal(2, purged);
        Assert.Equal([sessions[9].Id, sessions[8].Id], await IdsAsync(store));
        var next = Ended(Running(startedAt: 11));
        await store.RecordEndAsync(next, None);
        Assert.Equal([next.Id, sessions[9].Id, sessions[8].Id], await IdsAsync(store));
    }

    [Fact]
    public async Task Query_WithALimit_ReturnsTheNewestAcrossJobsWithoutLosingTies()
    {
        var store = CreateSut();
        var sessions = new List<JobSession>();
        for (var i = 0; i < 50; i++)
        {
            var session = Ended(Running($"job-{i % 7}", startedAt: i / 5)); // ten start times, five sessions each
            sessions.Add(session);
            await store.RecordEndAsync(session, None);
        }

        var newest = await IdsAsync(store, new JobSessionQuery { Limit = 12 });

        // Newest start first; among equal starts, the later written first.
        var expected = sessions.Select((s, i) => (s.Id, Start: i / 5, Order: i))
            .OrderByDescending(x => x.Start).ThenByDescending(x => x.Order).Take(12).Select(x => x.Id);
        Assert.Equal(expected, newest);
    }

    [Fact]
    public async Task Bound_OverALongRun_WithRunningSessionsLeftBehind_KeepsOrderAndEveryRunningOne()
    {
        // 100 writes through a bound of 20 wrap the log many times, while three sessions that never end are left
        // behind for the oldest-first drop to step over.
        var store = CreateSut(maxSessionsPerJob: 20);
        var stuck = new List<JobSession>();
        var ended = new List<JobSession>();
        for (var i = 0; i < 100; i++)
        {
            var running = Running(startedAt: i);
            await store.RecordStartAsync(running, None);
            if (i is 5 or 37 or 70)
            {
                stuck.Add(running);
                continue;
            }

            var end = Ended(running);
            ended.Add(end);
            await store.RecordEndAsync(end, None);
        }

        var expected = ended.TakeLast(20 - stuck.Count).Concat(stuck).OrderByDescending(s => s.StartedAt).Select(s => s.Id);
        Assert.Equal(expected, await IdsAsync(store));

        foreach (var running in stuck)
        {
            await store.RecordEndAsync(Ended(running), None);
        }

        // All ended now, and the log is at its bound: nothing more goes until the next write.
        Assert.Equal(expected, await IdsAsync(store));
        Assert.All(await QueryAsync(store), s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));

        var next = Ended(Running(startedAt: 100));
        await store.RecordEndAsync(next, None);

        // The oldest in the log goes first: the one that started at 5, although it ended last.
        var ids = await IdsAsync(store);
        Assert.Equal(20, ids.Count);
        Assert.Equal(next.Id, ids[0]);
        Assert.DoesNotContain(stuck[0].Id, ids);
        Assert.Contains(stuck[1].Id, ids);
    }

    [Fact]
    public async Task Writes_KeepSessionsByValue_NotTheObjectsWritten()
    {
        // Why it matters: at thousands of runs a second, session objects the store kept would all be promoted by the
        // garbage collector (docs/performance.md, fourth round).
        var store = CreateSut();
        var (written, weak) = await WriteOneAsync(store);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.TryGetTarget(out _));
        var stored = Assert.Single(await QueryAsync(store));
        Assert.Equal(written, stored);
        Assert.NotSame(stored, Assert.Single(await QueryAsync(store))); // each read builds its own
    }

    [Fact]
    public async Task Writes_KeepEveryOffsetAndTick()
    {
        var store = CreateSut();
        var running = Running() with
        {
            ScheduledAt = new DateTimeOffset(2026, 3, 29, 1, 59, 59, TimeSpan.FromHours(1)).AddTicks(1),
            StartedAt = new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)).AddTicks(12_345),
        };
        var ended = running with
        {
            EndedAt = new DateTimeOffset(2026, 3, 29, 7, 15, 0, TimeSpan.FromMinutes(-345)),
            Duration = TimeSpan.FromTicks(98_765_432_109),
            Status = JobSessionStatus.Failed,
            Error = "boom",
        };

        await store.RecordStartAsync(running, None);
        var whileRunning = Assert.Single(await QueryAsync(store));
        await store.RecordEndAsync(ended, None);
        var stored = Assert.Single(await QueryAsync(store));

        Assert.Equal(running.ScheduledAt.Offset, whileRunning.ScheduledAt.Offset);
        Assert.Null(whileRunning.EndedAt);
        Assert.Null(whileRunning.Duration);
        Assert.Equal(ended.ScheduledAt.Ticks, stored.ScheduledAt.Ticks);
        Assert.Equal(ended.ScheduledAt.Offset, stored.ScheduledAt.Offset);
        Assert.Equal(ended.StartedAt.Ticks, stored.StartedAt.Ticks);
        Assert.Equal(ended.StartedAt.Offset, stored.StartedAt.Offset);
        Assert.Equal(ended.EndedAt!.Value.Ticks, stored.EndedAt!.Value.Ticks);
        Assert.Equal(ended.EndedAt.Value.Offset, stored.EndedAt.Value.Offset);
        Assert.Equal(ended.Duration, stored.Duration);
        Assert.Equal(ended, stored);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<(JobSession Copy, WeakReference<JobSession> Written)> WriteOneAsync(InMemoryJobSessionStore store)
    {
        var running = Running();
        var ended = Ended(running);
        await store.RecordStartAsync(running, None);
        await store.RecordEndAsync(ended, None);
        return (ended with { }, new WeakReference<JobSession>(ended));
    }

    [Fact]
    public async Task Bound_AppliesPerJob()
    {
        var store = CreateSut(maxSessionsPerJob: 2);
        for (var i = 0; i < 3; i++)
        {
            await store.RecordEndAsync(Ended(Running("a", i)), None);
        }

        await store.RecordEndAsync(Ended(Running("b", 0)), None);

        Assert.Equal(2, (await QueryAsync(store, new JobSessionQuery { JobName = "a" })).Count);
        Assert.Single(await QueryAsync(store, new JobSessionQuery { JobName = "b" }));
    }

    // ---- slots shared by all jobs ---------------------------------------------------------------------------------

    [Fact]
    public async Task SharedSlots_ARareJobsSessions_OutliveManyLapsOfABusyJob_Intact()
    {
        // Every job's sessions share one set of slots; the busy job's writes go round them many times and must step
        // over the rare job's, which keep every field.
        var store = CreateSut(maxSessionsPerJob: 3);
        var rare = new[] { Ended(Running("rare", 0), JobSessionStatus.Failed) with { Error = "boom" }, Ended(Running("rare", 1)) };
        await StartThenEndEachAsync(store, rare);
        var busy = Enumerable.Range(0, 20_000).Select(i => Ended(Running("busy", 10 + i))).ToList();

        await StartThenEndEachAsync(store, busy);

        Assert.Equal(rare.Reverse().ToList(), await QueryAsync(store, new JobSessionQuery { JobName = "rare", Limit = 10 }));
        Assert.Equal(busy.TakeLast(3).Reverse().ToList(), await QueryAsync(store, new JobSessionQuery { JobName = "busy", Limit = 10 }));
    }

    [Fact]
    public async Task SharedSlots_ManyJobsAtTheirBound_StayWithinTheirReservation()
    {
        // 1,000 jobs written round-robin, as jobs on one schedule run, five laps past a bound of 10: memory is what
        // the jobs reserved (11 slots each, to within one chunk), not what they wrote.
        var store = CreateSut(maxSessionsPerJob: 10);
        var logs = Enumerable.Range(0, 1_000).Select(j => store.LogOf($"job-{j}")).ToArray();
        for (var lap = 0; lap < 50; lap++)
        {
            foreach (var log in logs)
            {
                var running = Running(log.JobName, lap);
                store.RecordEnd(log, Ended(running), new Attempt(StartOf(running))); // as the engine: an end nobody read the start of
            }
        }

        Assert.InRange(store.SlotCapacity, 11_000, 11_000 + 1_024);
        Assert.All(logs, log => Assert.Equal(10, log.Count));
        var newest = await QueryAsync(store, new JobSessionQuery { JobName = "job-500", Limit = 100 });
        Assert.Equal(Enumerable.Range(40, 10).Reverse().Select(i => T0.AddSeconds(i)), newest.Select(s => s.StartedAt));
    }

    [Fact]
    public async Task SharedSlots_FreedByPurge_AreWrittenAgain_WithoutGrowing()
    {
        // A job's reservation is kept after a purge (as a ring's memory was), and its next sessions reuse the slots.
        var store = CreateSut(maxSessionsPerJob: 1_000);
        await StartThenEndEachAsync(store, Enumerable.Range(0, 1_000).Select(i => Ended(Running("a", i))));
        var capacity = store.SlotCapacity;

        Assert.Equal(1_000, await store.PurgeAsync(T0.AddDays(1), None));
        Assert.Empty(await QueryAsync(store, new JobSessionQuery { JobName = "a", Limit = 10 }));
        var next = Enumerable.Range(0, 1_000).Select(i => Ended(Running("a", 86_400 + i))).ToList();
        await StartThenEndEachAsync(store, next);

        Assert.Equal(capacity, store.SlotCapacity);
        Assert.Equal(next.Select(s => s.Id).Reverse(), await IdsAsync(store, new JobSessionQuery { JobName = "a", Limit = 10_000 }));
    }

    // ---- concurrency --------------------------------------------------------------------------------------------

    [Fact]
    public async Task ConcurrentWriters_EightWorkersTimesAThousandSessions_LoseNothing()
    {
        const int Workers = 8, PerWorker = 1_000;
        var store = CreateSut(maxSessionsPerJob: 10_000);
        var written = new ConcurrentBag<Guid>();
        using var stopReading = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            // Reads run alongside the writes: they must never throw or see a torn list.
            while (!stopReading.IsCancellationRequested)
            {
                var snapshot = await store.QueryAsync(new JobSessionQuery { Limit = int.MaxValue }, None);
                Assert.Equal(snapshot.Count, snapshot.Select(s => s.Id).Distinct().Count());
            }
        });

        await Parallel.ForEachAsync(
            Enumerable.Range(0, Workers),
            new ParallelOptions { MaxDegreeOfParallelism = Workers },
            async (worker, ct) =>
            {
                for (var i = 0; i < PerWorker; i++)
                {
                    var running = Running($"job-{worker % 3}", startedAt: i);
                    await store.RecordStartAsync(running, ct);
                    await store.RecordEndAsync(Ended(running), ct);
                    written.Add(running.Id);
                }
            });
        await stopReading.CancelAsync();
        await reader;

        var stored = await QueryAsync(store);
        Assert.Equal(Workers * PerWorker, stored.Count);
        Assert.Equal(written.ToHashSet(), stored.Select(s => s.Id).ToHashSet());
        Assert.All(stored, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }
}
