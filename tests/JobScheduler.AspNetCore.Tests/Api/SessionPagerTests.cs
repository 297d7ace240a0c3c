using JobScheduler.AspNetCore.Api;

namespace JobScheduler.AspNetCore.Tests.Api;

public sealed class SessionPagerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A store of <paramref name="count"/> sessions one second apart that records the limit of every query.</summary>
    private static ListStore CreateSut(int count)
        => new(Enumerable.Range(0, count).Select(i => new JobSession { Id = Guid.NewGuid(), JobName = "job", StartedAt = T0.AddSeconds(i) }));

    [Fact]
    public async Task ReadPage_CursorDeepInHistory_WidensTheReadUntilThePageIsFull()
    {
        var store = CreateSut(3000);

        var page = await SessionPager.ReadPageAsync(store, "job", limit: 10, before: T0.AddSeconds(100), CancellationToken.None);

        Assert.Equal(Enumerable.Range(90, 10).Reverse().Select(i => T0.AddSeconds(i)), page.Sessions.Select(s => s.StartedAt));
        Assert.Equal(T0.AddSeconds(90), page.NextBefore);
        Assert.Equal([200, 800, 3200], store.Limits);
    }

    [Fact]
    public async Task ReadPage_LastPage_HasNoNextCursor()
    {
        var store = CreateSut(25);

        var page = await SessionPager.ReadPageAsync(store, "job", limit: 10, before: T0.AddSeconds(5), CancellationToken.None);

        Assert.Equal(5, page.Sessions.Count);
        Assert.Null(page.NextBefore);
    }

    [Fact]
    public async Task ReadPage_CursorBeyondTheScanLimit_ReturnsAnEmptyPageInsteadOfReadingForever()
    {
        var store = CreateSut(SessionPager.MaxScan + 50);

        var page = await SessionPager.ReadPageAsync(store, "job", limit: 10, before: T0.AddSeconds(10), CancellationToken.None);

        Assert.Empty(page.Sessions);
        Assert.Null(page.NextBefore);
        Assert.Equal(SessionPager.MaxScan, store.Limits.Max());
    }

    private sealed class ListStore(IEnumerable<JobSession> sessions) : IJobSessionStore
    {
        private readonly List<JobSession> _sessions = sessions.OrderByDescending(s => s.StartedAt).ToList();

        public List<int> Limits { get; } = [];

        public ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
        {
            Limits.Add(query.Limit);
            IReadOnlyList<JobSession> result = _sessions.Where(s => s.JobName == query.JobName).Take(query.Limit).ToList();
            return ValueTask.FromResult(result);
        }

        public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
