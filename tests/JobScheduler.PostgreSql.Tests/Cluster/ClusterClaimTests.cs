using JobScheduler.Testing;

namespace JobScheduler.PostgreSql.Tests.Cluster;

/// <summary>Each occurrence runs on one instance: two and three hosts on one real database, each on its own fake clock.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class ClusterClaimTests(PostgreSqlServerFixture server)
{
    [Fact]
    public async Task ThreeInstancesRacing_RunEachOccurrenceExactlyOnce()
    {
        var log = new ClusterRunLog();
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b
            .AddJob<ClusterJob>("*/5 * * * * *", j => j.WithName("every-5s"))
            .AddJob<ClusterJob>("0 * * * * *", j => j.WithName("every-minute"));

        await using var a = await cluster.StartAsync("a", Jobs);
        await using var b = await cluster.StartAsync("b", Jobs);
        await using var c = await cluster.StartAsync("c", Jobs);

        // All three reach every occurrence at the same moment, so every claim is a real race on the unique key.
        for (var step = 0; step < 24; step++)
        {
            await Task.WhenAll(a.AdvanceAsync(TimeSpan.FromSeconds(5)), b.AdvanceAsync(TimeSpan.FromSeconds(5)), c.AdvanceAsync(TimeSpan.FromSeconds(5)));
        }

        var fiveSeconds = log.Started("every-5s");
        Assert.Equal(Enumerable.Range(1, 24).Select(i => ClusterNode.Start.AddSeconds(5 * i)), fiveSeconds.Select(r => r.Occurrence).Order());
        Assert.Equal([ClusterNode.Start.AddMinutes(1), ClusterNode.Start.AddMinutes(2)], log.Started("every-minute").Select(r => r.Occurrence).Order());

        var sessions = await cluster.SessionsAsync(server, s => s.Count >= 26);
        Assert.Equal(26, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.Equal(26, sessions.Select(s => (s.JobName, s.ScheduledAt)).Distinct().Count());
        Assert.Equal(26, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{cluster.Schema}\".occurrence_claims WHERE finished_at IS NOT NULL"));
    }

    [Fact]
    public async Task ClocksSecondsApart_NeitherDoubleRunNorLoseAnOccurrence()
    {
        var log = new ClusterRunLog();
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<ClusterJob>("*/10 * * * * *", j => j.WithName("skewed"));

        // b's clock is 3 s ahead of a's: b reaches each occurrence first, a reaches it 3 s later and must find the claim.
        await using var a = await cluster.StartAsync("slow-clock", Jobs);
        await using var b = await cluster.StartAsync("fast-clock", Jobs, ClusterNode.Start.AddSeconds(3));

        await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(2), b, a);

        // a's clock reached Start + 120 s, b's Start + 123 s: occurrences 10 s … 120 s are due on both.
        var runs = log.Started("skewed");
        Assert.Equal(Enumerable.Range(1, 12).Select(i => ClusterNode.Start.AddSeconds(10 * i)), runs.Select(r => r.Occurrence).Order());
        Assert.All(runs, r => Assert.Equal("fast-clock", r.Instance));
    }

    [Fact]
    public async Task IntervalJobs_AreAlignedToTheEpoch_SoInstancesStartedApartShareOccurrences()
    {
        var log = new ClusterRunLog();
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<ClusterJob>(j => j.WithName("interval").WithInterval(TimeSpan.FromMinutes(10)));

        // Started 7 and 13 minutes past midnight: alone, each would fire 10 minutes after its own start.
        await using var a = await cluster.StartAsync("a", Jobs, ClusterNode.Start.AddMinutes(7));
        await using var b = await cluster.StartAsync("b", Jobs, ClusterNode.Start.AddMinutes(13));
        await a.AdvanceToAsync(ClusterNode.Start.AddMinutes(13));
        for (var step = 0; step < 6; step++)
        {
            await Task.WhenAll(a.AdvanceAsync(TimeSpan.FromMinutes(10)), b.AdvanceAsync(TimeSpan.FromMinutes(10)));
        }

        Assert.Equal(Enumerable.Range(1, 7).Select(i => ClusterNode.Start.AddMinutes(10 * i)), log.Started("interval").Select(r => r.Occurrence).Order());
    }

    [Fact]
    public async Task ManualTriggers_RunOnTheInstanceTheyWereMadeOn_WithoutAClaim()
    {
        var log = new ClusterRunLog();
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<ClusterJob>("0 0 * * *", j => j.WithName("nightly"));

        await using var a = await cluster.StartAsync("a", Jobs);
        await using var b = await cluster.StartAsync("b", Jobs);

        var first = await a.RunJobAsync("nightly");
        var second = await b.RunJobAsync("nightly");

        Assert.Equal([("a", JobTrigger.Manual), ("b", JobTrigger.Manual)], log.Started("nightly").Select(r => (r.Instance, r.Trigger)));
        Assert.Equal(JobSessionStatus.Succeeded, first.Status);
        Assert.Equal(JobSessionStatus.Succeeded, second.Status);
        Assert.Equal(0, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{cluster.Schema}\".occurrence_claims"));
    }
}
