using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace JobScheduler.PostgreSql.Tests.Cluster;

/// <summary>What every instance of a test cluster ran, in order: one log shared by all the hosts of a test.</summary>
public sealed class ClusterRunLog
{
    private readonly ConcurrentQueue<ClusterRun> _runs = new();

    /// <summary>Gets or sets how long <see cref="SlowClusterJob"/> runs, on its instance's clock.</summary>
    public TimeSpan SlowJobDuration { get; set; } = TimeSpan.FromSeconds(90);

    public IReadOnlyList<ClusterRun> Runs => [.. _runs];

    public void Add(string instance, JobContext context, string what)
        => _runs.Enqueue(new ClusterRun(instance, context.JobName, context.ScheduledAt, context.Trigger, what));

    /// <summary>Returns the started runs of one job.</summary>
    public IReadOnlyList<ClusterRun> Started(string job) => [.. _runs.Where(r => r.Job == job && r.What == "start")];
}

public sealed record ClusterRun(string Instance, string Job, DateTimeOffset Occurrence, JobTrigger Trigger, string What);

/// <summary>Records that it ran, on which instance, for which occurrence.</summary>
public sealed class ClusterJob(ClusterRunLog log, IOptions<JobSchedulerOptions> options) : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        log.Add(options.Value.InstanceId, context, "start");
        return Task.CompletedTask;
    }
}

/// <summary>Records its start, waits <see cref="ClusterRunLog.SlowJobDuration"/> on its instance's clock, records its end.</summary>
public sealed class SlowClusterJob(ClusterRunLog log, IOptions<JobSchedulerOptions> options, TimeProvider time) : IJob
{
    public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        log.Add(options.Value.InstanceId, context, "start");
        await Task.Delay(log.SlowJobDuration, time, cancellationToken);
        log.Add(options.Value.InstanceId, context, "end");
    }
}
