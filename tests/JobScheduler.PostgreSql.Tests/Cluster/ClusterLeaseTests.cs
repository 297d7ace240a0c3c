using JobScheduler.Testing;

namespace JobScheduler.PostgreSql.Tests.Cluster;

/// <summary>The overlap policy holds across the cluster: a run on one instance blocks the next occurrence on another.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class ClusterLeaseTests(PostgreSqlServerFixture server)
{
    // Every minute, each run 90 s: minute 1 runs on "a" until 2:30; "b" claims minute 2 while it still runs.
    private static async Task<(JobSchedulerTestHost A, JobSchedulerTestHost B)> StartOverlappingAsync(ClusterNode cluster, OverlapPolicy policy)
    {
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<SlowClusterJob>("0 * * * * *", j => j.WithName("slow").WithOverlap(policy));
        var a = await cluster.StartAsync("a", Jobs);
        var b = await cluster.StartAsync("b", Jobs);
        await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(1), a, b); // a claims minute 1
        await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(1), b, a); // b claims minute 2 while a's run goes on
        return (a, b);
    }

    [Fact]
    public async Task Skip_RunHeldByAnotherInstance_IsRecordedSkippedOnce()
    {
        var log = new ClusterRunLog();
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        var (a, b) = await StartOverlappingAsync(cluster, OverlapPolicy.Skip);
        await using (a)
        await using (b)
        {
            Assert.Equal([("a", 1)], log.Started("slow").Select(r => (r.Instance, (int)(r.Occurrence - ClusterNode.Start).TotalMinutes)));
            var sessions = await cluster.SessionsAsync(server, s => s.Count(x => x.Status != JobSessionStatus.Running) >= 2);
            var skipped = Assert.Single(sessions, s => s.Status == JobSessionStatus.Skipped);
            Assert.Equal(("b", ClusterNode.Start.AddMinutes(2)), (skipped.InstanceId, skipped.ScheduledAt));
            Assert.Contains("a run on another instance was still running", skipped.Error, StringComparison.Ordinal);

            // a's run ends at 2:30 and releases the lease: b's next occurrence runs.
            await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(1), b, a);
            Assert.Contains(log.Started("slow"), r => r.Instance == "b" && r.Occurrence == ClusterNode.Start.AddMinutes(3));
        }
    }

    [Fact]
    public async Task Queue_RunWaitsForTheLease_AndStartsWhenTheOtherInstanceHandsItOver()
    {
        var log = new ClusterRunLog();
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        var (a, b) = await StartOverlappingAsync(cluster, OverlapPolicy.Queue);
        await using (a)
        await using (b)
        {
            Assert.Single(log.Started("slow")); // b's minute 2 waits
            Assert.Equal(1, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{cluster.Schema}\".job_leases WHERE instance_id = 'a' AND waiting_instance = 'b'"));

            // a's run ends at 2:30 and hands the lease to b; b's next poll finds it holds the lease.
            await ClusterNode.LockstepAsync(TimeSpan.FromSeconds(32), a, b);

            Assert.Equal(["a:1:start", "a:1:end", "b:2:start"],
                log.Runs.Select(r => $"{r.Instance}:{(int)(r.Occurrence - ClusterNode.Start).TotalMinutes}:{r.What}"));
            Assert.Equal(1, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{cluster.Schema}\".job_leases WHERE instance_id = 'b' AND waiting_run IS NULL"));
        }
    }

    [Fact]
    public async Task Queue_AtMostOneRunWaitsInTheWholeCluster()
    {
        var log = new ClusterRunLog { SlowJobDuration = TimeSpan.FromMinutes(5) };
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<SlowClusterJob>("0 * * * * *", j => j.WithName("slow").WithOverlap(OverlapPolicy.Queue));
        await using var a = await cluster.StartAsync("a", Jobs);
        await using var b = await cluster.StartAsync("b", Jobs);
        await using var c = await cluster.StartAsync("c", Jobs);

        await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(1), a, b, c); // a runs minute 1 until 6:00
        await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(1), b, a, c); // b queues minute 2
        await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(1), c, a, b); // c claims minute 3: b already waits, so c skips

        var sessions = await cluster.SessionsAsync(server, s => s.Any(x => x.Status == JobSessionStatus.Skipped));
        var skipped = Assert.Single(sessions, s => s.Status == JobSessionStatus.Skipped);
        Assert.Equal(("c", ClusterNode.Start.AddMinutes(3)), (skipped.InstanceId, skipped.ScheduledAt));
        Assert.Contains("another run already waited for it", skipped.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lease_OfADeadInstance_BlocksUntilItIsDeclaredDead_ThenIsFree()
    {
        var log = new ClusterRunLog { SlowJobDuration = TimeSpan.FromHours(1) };
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<SlowClusterJob>("*/20 * * * * *", j => j.WithName("slow").WithOverlap(OverlapPolicy.Skip));
        await using var dead = await cluster.StartAsync("dead", Jobs);
        await using var live = await cluster.StartAsync("live", Jobs);

        // dead runs 0:20 for an hour and its clock stops: its last heartbeat at 0:20 keeps it (and its lease) alive until 0:50.
        await ClusterNode.LockstepAsync(TimeSpan.FromSeconds(20), dead, live);
        await live.AdvanceAsync(TimeSpan.FromSeconds(40));

        Assert.Equal([("dead", 20), ("live", 60)], log.Started("slow").Select(r => (r.Instance, (int)(r.Occurrence - ClusterNode.Start).TotalSeconds)));
        var sessions = await cluster.SessionsAsync(server, s => s.Any(x => x.Status == JobSessionStatus.Skipped));
        var skipped = Assert.Single(sessions, s => s.Status == JobSessionStatus.Skipped);
        Assert.Equal(("live", ClusterNode.Start.AddSeconds(40)), (skipped.InstanceId, skipped.ScheduledAt));
    }
}
