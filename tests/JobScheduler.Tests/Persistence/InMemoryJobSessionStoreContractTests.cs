using JobScheduler.Sessions;
using JobScheduler.Tests.Contracts;
using Microsoft.Extensions.Options;

namespace JobScheduler.Tests.Persistence;

public sealed class InMemoryJobSessionStoreContractTests : JobSessionStoreContractTests
{
    protected override Task<IJobSessionStore> CreateStoreAsync()
        => Task.FromResult<IJobSessionStore>(new InMemoryJobSessionStore(Options.Create(new InMemorySessionStoreOptions { MaxSessionsPerJob = 100_000 })));

    [Fact]
    public async Task Trim_KeepsNewestEndedPerJob_AndEveryRunningSession()
    {
        var running = Running("report", startedAt: 0);
        await Store.RecordStartAsync(running, CancellationToken.None);
        var ended = new List<JobSession>();
        for (var i = 1; i <= 5; i++)
        {
            ended.Add(Ended(Running("report", startedAt: i)));
            await Store.RecordEndAsync(ended[^1], CancellationToken.None);
        }

        await Store.RecordEndAsync(Ended(Running("sync", startedAt: 1)), CancellationToken.None);

        var trimmed = await ((IJobSessionRetention)Store).TrimAsync(2, CancellationToken.None);

        Assert.Equal(3, trimmed);
        var left = await Store.GetSessionsByJobAsync("report");
        Assert.Equal([ended[4].Id, ended[3].Id, running.Id], left.Select(s => s.Id));
        Assert.Single(await Store.GetSessionsByJobAsync("sync"));
    }
}
