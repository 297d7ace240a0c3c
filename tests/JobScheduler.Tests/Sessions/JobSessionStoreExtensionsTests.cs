using JobScheduler.Sessions;
using Microsoft.Extensions.Options;

namespace JobScheduler.Tests.Sessions;

/// <summary><c>GetSessionsByJobAsync</c> and <c>GetRunningSessionsAsync</c>: the queries they send and what they return.</summary>
public sealed class JobSessionStoreExtensionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static JobSession Session(string job, int second, JobSessionStatus status = JobSessionStatus.Succeeded) => new()
    {
        Id = Guid.NewGuid(),
        JobName = job,
        StartedAt = T0.AddSeconds(second),
        ScheduledAt = T0.AddSeconds(second),
        Status = status,
        EndedAt = status == JobSessionStatus.Running ? null : T0.AddSeconds(second + 1),
    };

    private static InMemoryJobSessionStore CreateStore()
        => new(Options.Create(new InMemorySessionStoreOptions { MaxSessionsPerJob = 10_000 }));

    [Fact]
    public async Task GetSessionsByJob_SendsTheJobNameAndADefaultLimitOf50()
    {
        var spy = new QuerySpyStore();
        using var cts = new CancellationTokenSource();

        await spy.GetSessionsByJobAsync("report", cancellationToken: cts.Token);

        Assert.Equal(new JobSessionQuery { JobName = "report", Limit = 50 }, spy.Query);
        Assert.Equal(cts.Token, spy.Token);
    }

    [Fact]
    public async Task GetSessionsByJob_SendsTheGivenLimit()
    {
        var spy = new QuerySpyStore();

        await spy.GetSessionsByJobAsync("report", 7);

        Assert.Equal(7, spy.Query!.Limit);
    }

    [Fact]
    public async Task GetSessionsByJob_ReturnsTheNewestSessionsOfThatJobOnly()
    {
        var store = CreateStore();
        for (var i = 0; i < 60; i++)
        {
            await store.RecordEndAsync(Session("report", i), CancellationToken.None);
            await store.RecordEndAsync(Session("sync", i), CancellationToken.None);
        }

        var sessions = await store.GetSessionsByJobAsync("report");

        Assert.Equal(50, sessions.Count);
        Assert.All(sessions, s => Assert.Equal("report", s.JobName));
        Assert.Equal(Enumerable.Range(10, 50).Reverse().Select(i => T0.AddSeconds(i)), sessions.Select(s => s.StartedAt));
    }

    [Fact]
    public async Task GetSessionsByJob_InvalidArguments_Throw()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await ((IJobSessionStore)null!).GetSessionsByJobAsync("report"));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.GetSessionsByJobAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetSessionsByJobAsync(""));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.GetSessionsByJobAsync("report", 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.GetSessionsByJobAsync("report", -1));
    }

    [Fact]
    public async Task GetRunningSessions_SendsStatusRunningAndALimitOf1000()
    {
        var spy = new QuerySpyStore();
        using var cts = new CancellationTokenSource();

        await spy.GetRunningSessionsAsync(cts.Token);

        Assert.Equal(new JobSessionQuery { Status = JobSessionStatus.Running, Limit = 1000 }, spy.Query);
        Assert.Equal(cts.Token, spy.Token);
    }

    [Fact]
    public async Task GetRunningSessions_ReturnsOnlyRunningSessionsOfEveryJob_NewestFirst()
    {
        var store = CreateStore();
        var runningA = Session("a", 1, JobSessionStatus.Running);
        var runningB = Session("b", 2, JobSessionStatus.Running);
        await store.RecordStartAsync(runningA, CancellationToken.None);
        await store.RecordStartAsync(runningB, CancellationToken.None);
        await store.RecordEndAsync(Session("a", 3), CancellationToken.None);
        await store.RecordEndAsync(Session("b", 4, JobSessionStatus.Abandoned), CancellationToken.None);

        var running = await store.GetRunningSessionsAsync();

        Assert.Equal([runningB.Id, runningA.Id], running.Select(s => s.Id));
    }

    [Fact]
    public async Task GetRunningSessions_NullStore_Throws()
        => await Assert.ThrowsAsync<ArgumentNullException>(async () => await ((IJobSessionStore)null!).GetRunningSessionsAsync());

    private sealed class QuerySpyStore : IJobSessionStore
    {
        public JobSessionQuery? Query { get; private set; }

        public CancellationToken Token { get; private set; }

        public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
        {
            Query = query;
            Token = cancellationToken;
            return ValueTask.FromResult<IReadOnlyList<JobSession>>([]);
        }

        public ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken) => ValueTask.FromResult(0);
    }
}
