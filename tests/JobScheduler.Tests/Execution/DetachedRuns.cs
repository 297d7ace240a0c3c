using JobScheduler.Execution;
using JobScheduler.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobScheduler.Tests.Execution;

/// <summary>Runs of one job with a runner but no engine, for tests of the dispatcher's parts on their own.</summary>
internal sealed class DetachedRuns : IDisposable
{
    private readonly JobRunner _runner = new(
        new ConcurrencyGate(1), recorder: null!, scopeFactory: null!, TimeProvider.System, new JobSchedulerOptions(), NullLogger.Instance, monitor: null, coordinator: null);

    private readonly ScheduledJob _job = new(new JobPlan(
        new JobDefinition { Name = "job", JobType = typeof(DetachedRuns), TimeZoneId = "UTC" },
        Pipeline: null,
        new JobActivator(typeof(DetachedRuns), isService: null)));

    /// <summary>Creates a scheduled run of the job, never started.</summary>
    public JobRun Create() => new(_job, DateTimeOffset.UnixEpoch, JobTrigger.Scheduled, Guid.NewGuid(), _runner, withCompletion: false);

    public void Dispose() => _runner.Dispose();
}
