using static JobScheduler.Sqlite.Tests.Sessions.SqliteStoreTestData;

namespace JobScheduler.Sqlite.Tests.Sessions;

public sealed class SqliteRetentionTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Trim_KeepsTheNewestEndedPerJobAndEveryRunningOne()
    {
        await using var store = _database.CreateStore();
        var reportEnded = Enumerable.Range(0, 5).Select(i => Ended(Running("report", startedAt: i * 10), JobSessionStatus.Failed)).ToArray();
        var reportRunning = new[] { Running("report", startedAt: -100), Running("report", startedAt: 100) };
        var syncEnded = Ended(Running("sync", startedAt: 0));
        foreach (var session in reportEnded.Append(syncEnded))
        {
            await store.RecordEndAsync(session, CancellationToken.None);
        }

        foreach (var session in reportRunning)
        {
            await store.RecordStartAsync(session, CancellationToken.None);
        }

        var deleted = await store.TrimAsync(2, CancellationToken.None);

        Assert.Equal(3, deleted);
        var left = (await store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Select(s => s.Id).ToHashSet();
        Assert.Equal(new HashSet<Guid> { reportEnded[4].Id, reportEnded[3].Id, reportRunning[0].Id, reportRunning[1].Id, syncEnded.Id }, left);
    }

    [Fact]
    public async Task Trim_TiesInStartTime_KeepTheLastInserted()
    {
        await using var store = _database.CreateStore();
        var first = Ended(Running(startedAt: 5));
        var second = Ended(Running(startedAt: 5));
        await store.RecordEndAsync(first, CancellationToken.None);
        await store.RecordEndAsync(second, CancellationToken.None);

        Assert.Equal(1, await store.TrimAsync(1, CancellationToken.None));

        Assert.Equal(second.Id, Assert.Single(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Id);
    }

    [Fact]
    public async Task Trim_NothingOverTheLimit_DeletesNothing()
    {
        await using var store = _database.CreateStore();
        await store.RecordEndAsync(Ended(Running()), CancellationToken.None);

        Assert.Equal(0, await store.TrimAsync(1, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Trim_LessThanOne_Throws(int max)
    {
        await using var store = _database.CreateStore();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TrimAsync(max, CancellationToken.None));
    }

    [Fact]
    public async Task Purge_EndedExactlyAtTheCutoff_IsKept()
    {
        await using var store = _database.CreateStore();
        var session = Ended(Running(startedAt: 0)); // ended at T0 + 1 s
        await store.RecordEndAsync(session, CancellationToken.None);

        Assert.Equal(0, await store.PurgeAsync(T0.AddSeconds(1), CancellationToken.None));
        Assert.Equal(1, await store.PurgeAsync(T0.AddSeconds(1).AddTicks(10), CancellationToken.None));
    }
}
