using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace JobScheduler.PostgreSql.Tests.Cluster;

/// <summary>The database goes down under a running cluster: instances stop claiming, say so, and resume when it is back.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class ClusterOutageTests(PostgreSqlServerFixture server)
{
    [Fact]
    public async Task UnreachableDatabase_StopsClaiming_DegradesHealth_AndResumesWithOneCatchUpForRunOnce()
    {
        var log = new ClusterRunLog();
        var database = await server.CreateDatabaseAsync(durableCommits: true);
        var cluster = new ClusterNode(database, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b
            .AddJob<ClusterJob>("*/10 * * * * *", j => j.WithName("once").WithMisfire(MisfirePolicy.RunOnce))
            .AddJob<ClusterJob>("*/10 * * * * *", j => j.WithName("skip"));

        await using var a = await cluster.StartAsync("a", Jobs);
        await ClusterNode.LockstepAsync(TimeSpan.FromSeconds(10), a);
        Assert.Equal(2, log.Runs.Count);

        await server.StopServerAsync();
        try
        {
            await ClusterNode.LockstepAsync(TimeSpan.FromSeconds(30), a); // occurrences 20 s, 30 s, 40 s: none may run
            Assert.Equal(2, log.Runs.Count);

            var health = await ClusterNode.HealthAsync(a);
            Assert.Equal(HealthStatus.Degraded, health.Status);
            var entry = Assert.Single(health.Entries).Value;
            Assert.Equal("unreachable", entry.Data["cluster"]);
            Assert.Contains("Cluster coordination unavailable since", entry.Description, StringComparison.Ordinal);
            Assert.Contains("claims no occurrence until the PostgreSQL store is reachable again", cluster.Describe(), StringComparison.Ordinal);
        }
        finally
        {
            await server.StartServerAsync();
        }

        // The next heartbeat finds the store: RunOnce gets one catch-up for the last occurrence it could not claim (40 s).
        await ClusterNode.LockstepAsync(TimeSpan.FromSeconds(15), a);
        var once = log.Started("once");
        Assert.Equal([(10, JobTrigger.Scheduled), (40, JobTrigger.CatchUp), (50, JobTrigger.Scheduled)],
            once.Select(r => ((int)(r.Occurrence - ClusterNode.Start).TotalSeconds, r.Trigger)));
        Assert.Equal([10, 50], log.Started("skip").Select(r => (int)(r.Occurrence - ClusterNode.Start).TotalSeconds));
        Assert.Equal(HealthStatus.Healthy, (await ClusterNode.HealthAsync(a)).Status);
        Assert.Contains("Cluster coordination is back", cluster.Describe(), StringComparison.Ordinal);
    }
}
