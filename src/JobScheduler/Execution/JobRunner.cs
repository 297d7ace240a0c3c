using System.Diagnostics;
using JobScheduler.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;

namespace JobScheduler.Execution;

/// <summary>
/// The run pipeline, top to bottom: global concurrency gate → attempts (each: new DI scope, Running session, the job
/// under its timeout token, the recorded end) → retry after backoff while attempts remain. Failures are data: they
/// become session statuses and never escape.
/// </summary>
internal sealed class JobRunner(
    ConcurrencyGate gate,
    SessionRecorder recorder,
    IServiceScopeFactory scopeFactory,
    TimeProvider time,
    JobSchedulerOptions options,
    ILogger logger,
    RunMonitor? monitor,
    IRunCoordinator? coordinator) : IDisposable
{
    private const string StoppedWaitingForLease = "The scheduler stopped before the job's cluster lease was free.";

    private readonly CancellationTokenSource _runsCancellation = new();

    // The test host expects a run's end recorded by the time the thread that ran it lets go, so it records ends in place.
    private readonly RunEndQueue? _ends = monitor is null ? new() : null;

    /// <summary>Gets or sets the dispatcher told when a run ends (set once, the two reference each other).</summary>
    public RunDispatcher Dispatcher { get; set; } = null!;

    public RunMonitor? Monitor => monitor;

    /// <summary>Gets the cluster coordinator, or <see langword="null"/> when this instance runs alone.</summary>
    public IRunCoordinator? Coordinator => coordinator;

    /// <summary>Gets the token every job receives; cancelled when shutdown's grace period is over.</summary>
    public CancellationToken RunsToken => _runsCancellation.Token;

    public SessionRecorder Recorder => recorder;

    public TimeProvider Time => time;

    /// <summary>Gets the instance id sessions carry (<see cref="JobSchedulerOptions.InstanceId"/>).</summary>
    public string InstanceId => options.InstanceId;

    public void CancelRuns() => _runsCancellation.Cancel();

    public void Dispose() => _runsCancellation.Dispose();

    public async Task RunAsync(JobRun run)
    {
        if (monitor is not null)
        {
            RunMonitor.CurrentRun.Value = run;
        }

        JobSession? last = null;
        try
        {
            if (coordinator is not null && run.Plan.Definition.Overlap != OverlapPolicy.Allow)
            {
                last = await TakeLeaseAsync(run, coordinator).ConfigureAwait(false);
                if (last is not null)
                {
                    return; // skipped, or stopped while queued
                }
            }

            if (!gate.TryEnter())
            {
                try
                {
                    await gate.EnterAsync(run, RunsToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    last = await RecordNeverStartedAsync(run, "The scheduler stopped before a run slot was free.").ConfigureAwait(false);
                    return;
                }
            }

            try
            {
                run.Phase = RunPhase.Executing;
                last = await ExecuteAttemptsAsync(run).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception ex)
        {
            Log.SchedulerFaultMessage(logger, ex, $"run of job {run.Job.Name}");
        }
        finally
        {
            if (run.HoldsLease)
            {
                run.HoldsLease = false;
                await coordinator!.ReleaseLeaseAsync(run.Job.Name, run.FirstSessionId).ConfigureAwait(false);
            }

            if (run.EndQueued)
            {
                _ends!.Add(run);
            }
            else
            {
                EndRun(run, last);
            }
        }
    }

    /// <summary>
    /// Records the end of a run the <see cref="RunEndQueue"/> held: what its attempt left undone, then the run's own end.
    /// Faults are logged, not thrown: the queue's drain runs on the thread pool, where an exception would end the process.
    /// </summary>
    public async Task FinishEndedRunAsync(JobRun run)
    {
        var ended = BuildEndedSession(run, run.QueuedEndedAt, JobSessionStatus.Succeeded, error: null, run.QueuedMetadata);
        run.LastEnded = ended;
        try
        {
            await RecordAttemptEndAsync(run, ended, error: null, activity: null).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.SchedulerFaultMessage(logger, ex, $"run of job {run.Job.Name}");
        }

        try
        {
            EndRun(run, ended);
        }
        catch (Exception ex)
        {
            Log.SchedulerFaultMessage(logger, ex, $"end of a run of job {run.Job.Name}");
        }
    }

    private void EndRun(JobRun run, JobSession? last)
    {
        recorder.Instrumentation.RunEnded(last);
        Dispatcher.Complete(run, last);
    }

    /// <summary>
    /// Takes the job's cluster-wide overlap lease, or waits for it under <see cref="OverlapPolicy.Queue"/>. Returns
    /// <see langword="null"/> when the run holds the lease, otherwise the session that ends the run (Skipped, Cancelled).
    /// </summary>
    private async Task<JobSession?> TakeLeaseAsync(JobRun run, IRunCoordinator coordinator)
    {
        var queue = run.Plan.Definition.Overlap == OverlapPolicy.Queue;
        while (true)
        {
            LeaseOutcome outcome;
            try
            {
                outcome = await coordinator.AcquireLeaseAsync(run.Job.Name, run.FirstSessionId, queue, RunsToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return await RecordNeverStartedAsync(run, StoppedWaitingForLease).ConfigureAwait(false);
            }

            switch (outcome)
            {
                case LeaseOutcome.Acquired:
                    run.HoldsLease = true;
                    return null;
                case LeaseOutcome.HeldElsewhere:
                    Log.RunSkippedMessage(logger, run.Job.Name, run.ScheduledAt, run.Plan.Definition.Overlap);
                    JobSchedulerInstrumentation.RunSkipped(run);
                    return await RecordSkippedAsync(run, queue
                        ? "a run on another instance was still running and another run already waited for it."
                        : "a run on another instance was still running.").ConfigureAwait(false);
                case LeaseOutcome.Unavailable:
                    return await RecordSkippedAsync(run, "the cluster coordination store could not be reached to take the job's lease; see the scheduler's log.").ConfigureAwait(false);
            }

            run.Phase = RunPhase.WaitingForLease;
            try
            {
                await Task.Delay(coordinator.LeasePollInterval, time, RunsToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return await RecordNeverStartedAsync(run, StoppedWaitingForLease).ConfigureAwait(false);
            }
            finally
            {
                run.Phase = RunPhase.Dispatched;
            }
        }
    }

    /// <summary>Records a run that its overlap policy skipped as <see cref="JobSessionStatus.Skipped"/>.</summary>
    public Task<JobSession> RecordSkippedAsync(JobRun run, string why)
        => RecordWithoutAttemptAsync(run, JobSessionStatus.Skipped, $"Skipped by overlap policy {run.Plan.Definition.Overlap}: {why}");

    /// <summary>Records a run that never started (shutdown came first) as <see cref="JobSessionStatus.Cancelled"/>.</summary>
    public Task<JobSession> RecordNeverStartedAsync(JobRun run, string reason)
        => RecordWithoutAttemptAsync(run, JobSessionStatus.Cancelled, reason);

    private async Task<JobSession> RecordWithoutAttemptAsync(JobRun run, JobSessionStatus status, string error)
    {
        var now = time.GetUtcNow();
        var session = new JobSession
        {
            Id = run.FirstSessionId,
            JobName = run.Job.Name,
            Trigger = run.Trigger,
            ScheduledAt = run.ScheduledAt,
            StartedAt = now,
            EndedAt = now,
            Duration = TimeSpan.Zero,
            Status = status,
            Attempt = 1,
            Error = error,
            InstanceId = options.InstanceId,
        };
        await recorder.RecordEndAsync(run, session, CancellationToken.None).ConfigureAwait(false);
        run.Job.SetLastSession(session);
        return session;
    }

    // Not async itself: a job without retries or a timeout runs its one attempt without a state machine around it.
    // Returns the last attempt's ended session, or null when the run's end is queued (RunEndQueue).
    private ValueTask<JobSession?> ExecuteAttemptsAsync(JobRun run)
        => run.Plan.Pipeline is { } pipeline ? ExecuteInPipelineAsync(run, pipeline) : AttemptAsync(run, RunsToken);

    private async ValueTask<JobSession?> ExecuteInPipelineAsync(JobRun run, ResiliencePipeline<JobSession> pipeline)
    {
        var context = ResilienceContextPool.Shared.Get(RunsToken);
        context.Properties.Set(AttemptPipelineFactory.RunKey, run);
        try
        {
            // A job removed while a retry waited gets no further attempt: RemoveJob records nothing more.
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, r) => Outcome.FromResult(r.Attempt > 0 && r.Job.IsRemoved
                    ? r.LastEnded!
                    : (await r.Runner.AttemptAsync(r, ctx.CancellationToken).ConfigureAwait(false))!), // a run with a pipeline never queues its end
                context,
                run).ConfigureAwait(false);

            // An exception outcome means shutdown cancelled a retry delay: the last attempt is already recorded.
            return outcome.Result ?? run.LastEnded!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<JobSession?> AttemptAsync(JobRun run, CancellationToken cancellationToken)
    {
        var definition = run.Plan.Definition;
        run.Phase = RunPhase.Executing;
        run.TimedOutAt = null;

        var startedAt = time.GetUtcNow();
        var sessionId = run.Attempt == 0 ? run.FirstSessionId : SessionIds.NewId();
        var attempt = run.BeginAttempt(sessionId, startedAt);
        await recorder.RecordStartAsync(run, RunsToken).ConfigureAwait(false);
        var activity = recorder.Instrumentation.AttemptStarted(run); // the span is Activity.Current for the job
        Log.RunStartedMessage(logger, definition.Name, attempt, run.Trigger, sessionId, run.ScheduledAt);

        Exception? error = null;
        JobContext? context = null;
        var registration = definition.Timeout is null
            ? default
            : cancellationToken.UnsafeRegister(static s => ((JobRun)s!).Runner.OnAttemptTokenCancelled((JobRun)s!), run);
        try
        {
            // The attempt's DI scope opens on first use (see JobContext.Services) and closes when the attempt ends.
            context = new JobContext(definition.Name, sessionId, run.ScheduledAt, startedAt, attempt, run.Trigger, scopeFactory);
            try
            {
                var job = run.Plan.Activator.Create(context, out var owned);
                try
                {
                    run.Phase = RunPhase.InJob;
                    await job.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    run.Phase = RunPhase.Executing;
                    if (owned)
                    {
                        await JobActivator.DisposeOwnedAsync(job).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                await context.CloseScopeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }

        // Token callbacks run newest first: a job that ends inside its own callback on the token can end the attempt
        // (and drop the callback above) before OnAttemptTokenCancelled ran. The token itself says the timeout fired.
        if (definition.Timeout is not null && run.TimedOutAt is null && cancellationToken.IsCancellationRequested)
        {
            OnAttemptTokenCancelled(run);
        }

        var endedAt = time.GetUtcNow();
        run.RecordedLastEnded = false;

        // The run's only attempt succeeded and no span measures its end: everything else, from building its session to
        // the dispatcher's Complete, waits in the end queue, behind the runs already queued to start.
        if (_ends is not null && error is null && activity is null && run.Plan.Pipeline is null)
        {
            run.QueueEnd(endedAt, context?.MetadataOrNull);
            return null;
        }

        var ended = BuildEndedSession(run, endedAt, Classify(run, error, cancellationToken), DescribeError(run, error), context?.MetadataOrNull);
        run.LastEnded = ended;
        await RecordAttemptEndAsync(run, ended, error, activity).ConfigureAwait(false);
        return ended;
    }

    private JobSession BuildEndedSession(JobRun run, DateTimeOffset endedAt, JobSessionStatus status, string? error, IReadOnlyDictionary<string, string>? metadata)
    {
        var startedAt = run.AttemptStartedAt;
        return new JobSession
        {
            Id = run.AttemptSessionId,
            JobName = run.Plan.Definition.Name,
            Trigger = run.Trigger,
            ScheduledAt = run.ScheduledAt,
            StartedAt = startedAt,
            Attempt = run.Attempt,
            InstanceId = options.InstanceId,
            EndedAt = endedAt,
            Duration = endedAt - startedAt,
            Status = status,
            Error = error,
            Metadata = metadata is { Count: > 0 } ? new Dictionary<string, string>(metadata, StringComparer.Ordinal) : JobSession.EmptyMetadata,
        };
    }

    /// <summary>The end of an attempt whose session is built: logs, metrics, and the store, unless shutdown recorded it first.</summary>
    private async ValueTask RecordAttemptEndAsync(JobRun run, JobSession ended, Exception? error, Activity? activity)
    {
        LogEnd(run, ended, error);
        recorder.Instrumentation.AttemptEnded(run, ended, error, activity);
        if (!run.TryClaimEnd(ended.Attempt))
        {
            return;
        }

        await recorder.RecordEndAsync(run, ended, RunsToken).ConfigureAwait(false);
        if (ended.Attempt <= run.Plan.Definition.MaxRetries)
        {
            run.Job.SetLastSession(ended); // a retry may follow: the job shows this attempt while it waits
        }

        run.RecordedLastEnded = true; // the dispatcher makes it the job's last session under the lock it takes anyway
    }

    private void OnAttemptTokenCancelled(JobRun run)
    {
        // The attempt token fires for the timeout and for shutdown; only the first is a timeout.
        if (RunsToken.IsCancellationRequested)
        {
            return;
        }

        run.TimedOutAt = time.GetUtcNow();
        Log.TimeoutElapsedMessage(logger, run.Job.Name, run.Plan.Definition.Timeout!.Value, run.AttemptSessionId);
    }

    private JobSessionStatus Classify(JobRun run, Exception? error, CancellationToken attemptToken)
    {
        // The job's own callbacks on the token may run before ours, so a job can end before OnAttemptTokenCancelled
        // has stamped the timeout: a cancelled attempt token without shutdown is the timeout all the same.
        if (run.TimedOutAt is null && run.Plan.Definition.Timeout is not null
            && attemptToken.IsCancellationRequested && !RunsToken.IsCancellationRequested)
        {
            run.TimedOutAt = time.GetUtcNow();
        }

        if (run.TimedOutAt is not null)
        {
            return JobSessionStatus.TimedOut;
        }

        if (error is null)
        {
            return JobSessionStatus.Succeeded;
        }

        return error is OperationCanceledException && RunsToken.IsCancellationRequested
            ? JobSessionStatus.Cancelled
            : JobSessionStatus.Failed;
    }

    private string? DescribeError(JobRun run, Exception? error)
    {
        string? text = null;
        if (run.TimedOutAt is { } timedOutAt)
        {
            text = $"The job exceeded its timeout of {run.Plan.Definition.Timeout}.";
            if (error is not OperationCanceledException)
            {
                text += $" It ignored cancellation and returned {time.GetUtcNow() - timedOutAt} after the timeout.";
            }

            if (error is not null and not OperationCanceledException)
            {
                text += Environment.NewLine + error;
            }
        }
        else if (error is not null)
        {
            text = error.ToString();
        }

        if (text is null || text.Length <= options.MaxErrorLength)
        {
            return text;
        }

        // Cut before a surrogate pair rather than through it: half a pair is not valid text for every store.
        var keep = options.MaxErrorLength - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), "…");
    }

    private void LogEnd(JobRun run, JobSession ended, Exception? error)
    {
        var name = ended.JobName;
        var duration = ended.Duration!.Value;
        switch (ended.Status)
        {
            case JobSessionStatus.Succeeded:
                Log.RunSucceededMessage(logger, name, duration, ended.Attempt, ended.Id);
                break;
            case JobSessionStatus.TimedOut:
                Log.RunTimedOutMessage(logger, name, duration, run.Plan.Definition.Timeout!.Value, ended.Attempt, ended.Id);
                if (error is not OperationCanceledException)
                {
                    Log.TimeoutIgnoredMessage(logger, name, run.Plan.Definition.Timeout!.Value, ended.EndedAt!.Value - run.TimedOutAt!.Value, ended.Id);
                }

                break;
            case JobSessionStatus.Cancelled:
                Log.RunCancelledMessage(logger, name, ended.Attempt, ended.Id);
                break;
            default:
                Log.RunFailedMessage(logger, error!, name, duration, ended.Attempt, ended.Id);
                break;
        }
    }
}
