using System.Diagnostics.Metrics;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace JobScheduler.PostgreSql.Tests.Cluster;

/// <summary>
/// An instance "dies" by its clock standing still: it sends no heartbeat, exactly as a killed process. The live instance's
/// clock moves past the timeout, and it takes over the dead one's work.
/// </summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class ClusterFailoverTests(PostgreSqlServerFixture server)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DeadInstance_RunsBecomeAbandoned_AndRunOnceOccurrenceRunsAgainOnce_SkipOneDoesNot()
    {
        var log = new ClusterRunLog { SlowJobDuration = TimeSpan.FromMinutes(10) };
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b
            .AddJob<SlowClusterJob>("0 * * * *", j => j.WithName("hourly-once").WithMisfire(MisfirePolicy.RunOnce))
            .AddJob<SlowClusterJob>("0 * * * *", j => j.WithName("hourly-skip").WithMisfire(MisfirePolicy.Skip));

        await using var doomed = await cluster.StartAsync("doomed", Jobs);
        await using var survivor = await cluster.StartAsync("survivor", Jobs);
        using var runs = new MetricCollector<long>(survivor.Services.GetRequiredService<IMeterFactory>(), "JobScheduler", "jobscheduler.job.runs", survivor.Clock);
        var hour = ClusterNode.Start.AddHours(1);

        // The doomed instance reaches the occurrence first, claims both runs and starts them; then its clock stops.
        await doomed.AdvanceToAsync(hour);
        await survivor.AdvanceToAsync(hour);
        Assert.All(log.Runs, r => Assert.Equal("doomed", r.Instance));
        Assert.Equal(2, log.Runs.Count);

        // Not yet dead: the survivor's clock has not passed the doomed instance's timeout.
        await survivor.AdvanceAsync(Timeout - TimeSpan.FromSeconds(10));
        Assert.Equal(2, log.Runs.Count);

        await survivor.AdvanceAsync(TimeSpan.FromSeconds(20));
        var rerun = Assert.Single(log.Runs, r => r.Instance == "survivor");
        Assert.Equal(("hourly-once", hour, JobTrigger.CatchUp), (rerun.Job, rerun.Occurrence, rerun.Trigger));

        // Moving on, the survivor never runs the occurrence again, and the Skip job's occurrence stays lost.
        await survivor.AdvanceAsync(TimeSpan.FromMinutes(11));
        Assert.Single(log.Runs, r => r.Instance == "survivor" && r.What == "start");

        var sessions = await cluster.SessionsAsync(server, s => s.Count(x => x.Status == JobSessionStatus.Abandoned) == 2 && s.Any(x => x.Status == JobSessionStatus.Succeeded));
        var abandoned = sessions.Where(s => s.Status == JobSessionStatus.Abandoned).ToList();
        Assert.Equal(["hourly-once", "hourly-skip"], abandoned.Select(s => s.JobName).Order());
        Assert.All(abandoned, s =>
        {
            Assert.Equal("doomed", s.InstanceId);
            Assert.Contains("marked Abandoned by instance 'survivor'", s.Error, StringComparison.Ordinal);
        });
        var again = Assert.Single(sessions, s => s.InstanceId == "survivor");
        Assert.Equal((JobSessionStatus.Succeeded, JobTrigger.CatchUp, hour), (again.Status, again.Trigger, again.ScheduledAt));
        Assert.Equal(0, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{cluster.Schema}\".instances WHERE instance_id = 'doomed'"));

        // The survivor counts the dead instance's abandoned sessions in its metrics, as it counts its own.
        var abandonedRuns = runs.GetMeasurementSnapshot().Where(m => Equals(m.Tags["job.status"], "abandoned")).ToList();
        Assert.Equal(["hourly-once", "hourly-skip"], abandonedRuns.Select(m => (string)m.Tags["job.name"]!).Order());
    }

    [Fact]
    public async Task RestartedProcessWithTheSameInstanceId_TakesOverWhatItsPredecessorLeft_AtOnce()
    {
        var log = new ClusterRunLog { SlowJobDuration = TimeSpan.FromMinutes(10) };
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<SlowClusterJob>("0 * * * *", j => j.WithName("report").WithMisfire(MisfirePolicy.RunOnce));

        await using var killed = await cluster.StartAsync("worker-1", Jobs);
        await killed.AdvanceToAsync(ClusterNode.Start.AddHours(1));
        Assert.Single(log.Runs);

        // The same instance id starts again within the timeout (a supervisor restarted it): no need to wait for expiry.
        await using var restarted = await cluster.StartAsync("worker-1", Jobs, ClusterNode.Start.AddHours(1).AddSeconds(5));
        await restarted.AdvanceAsync(TimeSpan.FromMinutes(11));

        Assert.Equal([("worker-1", JobTrigger.Scheduled, "start"), ("worker-1", JobTrigger.CatchUp, "start"), ("worker-1", JobTrigger.CatchUp, "end")],
            log.Runs.Select(r => (r.Instance, r.Trigger, r.What)));
        Assert.Matches(@"worker-1 restarted: took over its previous process's work \(\d Running session\(s\) abandoned, 1 occurrence\(s\) to run again", cluster.Describe());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task AnOccurrenceWhoseRunsKeepDying_IsTakenOverAtMostMaxTakeoversTimes(int maxTakeovers)
    {
        var log = new ClusterRunLog { SlowJobDuration = TimeSpan.FromMinutes(10) };
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<SlowClusterJob>("0 * * * *", j => j.WithName("report").WithMisfire(MisfirePolicy.RunOnce));
        void Options(PostgreSqlClusterOptions o) => o.MaxTakeovers = maxTakeovers;
        var hour = ClusterNode.Start.AddHours(1);
        List<JobSchedulerTestHost> processes = [];
        try
        {
            processes.Add(await cluster.StartAsync("worker-1", Jobs, cluster: Options));
            await processes[0].AdvanceToAsync(hour);

            // Each process is "killed" mid-run (its clock stops) and the supervisor starts the next one with the same id.
            for (var restart = 1; restart <= maxTakeovers + 1; restart++)
            {
                var process = await cluster.StartAsync("worker-1", Jobs, hour.AddSeconds(5 * restart), Options);
                processes.Add(process);
                await process.AdvanceAsync(TimeSpan.FromSeconds(1));
            }

            await processes[^1].AdvanceAsync(TimeSpan.FromMinutes(11));
            var starts = log.Started("report").ToList();
            Assert.Equal([JobTrigger.Scheduled, .. Enumerable.Repeat(JobTrigger.CatchUp, maxTakeovers)], starts.Select(r => r.Trigger));
            Assert.All(starts, r => Assert.Equal(hour, r.Occurrence));
            Assert.Equal(maxTakeovers, await server.ScalarAsync<int>($"SELECT takeovers FROM \"{cluster.Schema}\".occurrence_claims WHERE job_name = 'report'"));
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task CleanStop_LeavesTheCluster_SoNothingIsTakenOver()
    {
        var log = new ClusterRunLog();
        var cluster = new ClusterNode(server.ConnectionString, server.NewSchemaName(), log);
        void Jobs(IJobSchedulerBuilder b) => b.AddJob<ClusterJob>("0 * * * * *", j => j.WithName("minutely").WithMisfire(MisfirePolicy.RunOnce));

        await using var survivor = await cluster.StartAsync("survivor", Jobs);
        await using (var leaving = await cluster.StartAsync("leaving", Jobs))
        {
            await ClusterNode.LockstepAsync(TimeSpan.FromMinutes(1), leaving, survivor);
            Assert.Equal(1, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{cluster.Schema}\".instances WHERE instance_id = 'leaving'"));
        }

        Assert.Equal(0, await server.ScalarAsync<long>($"SELECT count(*) FROM \"{cluster.Schema}\".instances WHERE instance_id = 'leaving'"));
        await survivor.AdvanceAsync(TimeSpan.FromMinutes(2));

        // The survivor lost the race for minute 1 (its clock got there later) and ran minutes 2 and 3: no takeover run.
        Assert.Equal([("leaving", 1), ("survivor", 2), ("survivor", 3)],
            log.Started("minutely").Select(r => (r.Instance, (int)(r.Occurrence - ClusterNode.Start).TotalMinutes)));
        Assert.DoesNotContain("missed its heartbeats", cluster.Describe(), StringComparison.Ordinal);
    }
}
