using JobScheduler.Diagnostics;
using JobScheduler.Scheduling;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Execution;

/// <summary>
/// Turns a due occurrence or a trigger into a run: applies the job's overlap policy, starts runs on the thread pool,
/// keeps the set of runs in progress, and drains them at shutdown.
/// </summary>
internal sealed class RunDispatcher
{
    private readonly JobRunner _runner;
    private readonly JobSchedulerOptions _options;
    private readonly ILogger _logger;
    private readonly RunSet _active = new();
    private int _activeCount; // apart from the set, so removing a run needs no global lock to see it was the last
    private TaskCompletionSource? _drained;
    private Action<JobRun>? _unclaimed;
    private volatile bool _stopping;

    public RunDispatcher(JobRunner runner, JobSchedulerOptions options, ILogger logger)
    {
        _runner = runner;
        _options = options;
        _logger = logger;
        runner.Dispatcher = this;
    }

    /// <summary>
    /// Starts, queues or skips a run of <paramref name="job"/> according to its overlap policy. In cluster mode a run of a
    /// schedule occurrence (<paramref name="claim"/>) first claims the occurrence, and only the instance that wins runs it.
    /// </summary>
    public JobRun Fire(ScheduledJob job, DateTimeOffset scheduledAt, JobTrigger trigger, Guid sessionId, bool withCompletion = false, bool claim = false)
    {
        var run = new JobRun(job, scheduledAt, trigger, sessionId, _runner, withCompletion);
        if (claim && _runner.Coordinator is { } coordinator)
        {
            Track(run);
            run.Phase = RunPhase.Claiming;
            _ = ClaimThenAdmitAsync(run, coordinator);
            return run;
        }

        Admit(run);
        return run;
    }

    /// <summary>Starts a run whose occurrence this instance already holds: one taken over from a dead instance.</summary>
    public void FireClaimed(ScheduledJob job, DateTimeOffset scheduledAt, JobTrigger trigger, Guid sessionId)
    {
        var run = new JobRun(job, scheduledAt, trigger, sessionId, _runner, withCompletion: false) { IsClaimed = true };
        Admit(run);
    }

    /// <summary>Applies the overlap policy to a run this instance may start.</summary>
    private void Admit(JobRun run)
    {
        var job = run.Job;
        var scheduledAt = run.ScheduledAt;
        var policy = job.Overlap; // the current plan's policy, read from the job the timer already has in cache
        bool start = false, skip = false;
        lock (job)
        {
            if (job.RunningCount == 0 || policy == OverlapPolicy.Allow)
            {
                job.RunningCount++;
                run.HoldsJobSlot = start = true;
            }
            else if (policy == OverlapPolicy.Queue && job.PendingRun is null)
            {
                job.PendingRun = run;
            }
            else
            {
                skip = true;
            }
        }

        if (start)
        {
            Start(run);
        }
        else if (skip)
        {
            Log.RunSkippedMessage(_logger, job.Name, scheduledAt, policy);
            JobSchedulerInstrumentation.RunSkipped(run);
            Track(run);
            _ = RecordSkippedAsync(run);
        }
        else
        {
            Log.RunQueuedMessage(_logger, job.Name, scheduledAt);
        }
    }

    private async Task ClaimThenAdmitAsync(JobRun run, IRunCoordinator coordinator)
    {
        var outcome = ClaimOutcome.Unavailable;
        try
        {
            outcome = await coordinator.ClaimAsync(run.Job.Name, run.ScheduledAt, run.FirstSessionId, _runner.RunsToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the claim's fate is unknown; Finish below settles a claim that did go through.
        }
        catch (Exception ex)
        {
            Log.SchedulerFaultMessage(_logger, ex, $"claim of job {run.Job.Name}");
        }

        if (outcome == ClaimOutcome.Won && !_stopping && !run.Job.IsRemoved)
        {
            run.IsClaimed = true;
            Admit(run);
            return;
        }

        if (outcome != ClaimOutcome.Lost)
        {
            // Won but stopping (or the job removed), or unknown: finished without a run, so nobody takes it over.
            coordinator.Finish(run.Job.Name, run.ScheduledAt, run.FirstSessionId);
        }

        if (outcome == ClaimOutcome.Unavailable)
        {
            _unclaimed?.Invoke(run);
        }
        else
        {
            Log.OccurrenceClaimedElsewhereMessage(_logger, run.Job.Name, run.ScheduledAt);
        }

        Complete(run, last: null);
    }

    /// <summary>Sets what happens to a run whose occurrence could not be claimed because coordination was unavailable.</summary>
    public void OnUnclaimed(Action<JobRun> unclaimed) => _unclaimed = unclaimed;

    /// <summary>Called by the runner when a run has ended: frees the job, starts its queued run, completes its handle.</summary>
    public void Complete(JobRun run, JobSession? last)
    {
        var job = run.Job;
        var ended = run.RecordedLastEnded ? run.LastEnded : null; // only a run that held a job slot ran an attempt
        JobRun? next = null, dropped = null;
        if (run.HoldsJobSlot)
        {
            lock (job)
            {
                if (ended is not null)
                {
                    job.SetLastSessionLocked(ended); // with the count: the job shows its last session once it is free
                }

                job.RunningCount--;
                if (job.PendingRun is { } pending)
                {
                    job.PendingRun = null;
                    if (_stopping || job.IsRemoved)
                    {
                        dropped = pending;
                    }
                    else
                    {
                        job.RunningCount++;
                        pending.HoldsJobSlot = true;
                        next = pending;
                    }
                }
            }
        }

        // Start the queued run before this one leaves the active set, so the set never looks idle in between.
        if (next is not null)
        {
            Start(next);
        }
        else if (dropped is not null)
        {
            Drop(dropped);
        }

        if (run.IsClaimed)
        {
            _runner.Coordinator!.Finish(job.Name, run.ScheduledAt, run.FirstSessionId);
        }

        if (last is not null)
        {
            run.Completion?.TrySetResult(last);
        }
        else if (run.Completion is not null)
        {
            run.Completion.TrySetException(new InvalidOperationException($"The run of job '{job.Name}' ended without a session; see the scheduler's log."));
        }

        run.Phase = RunPhase.Completed;
        _active.Remove(run);
        if (Interlocked.Decrement(ref _activeCount) == 0)
        {
            // Pairs with StopAsync: it publishes _drained, then reads the count; one of the two sees the other.
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    /// <summary>Drops the queued run of a removed job: it never started and, as RemoveJob promises, records nothing.</summary>
    public static void DropPending(ScheduledJob job)
    {
        JobRun? pending;
        lock (job)
        {
            pending = job.PendingRun;
            job.PendingRun = null;
        }

        pending?.Completion?.TrySetCanceled();
    }

    /// <summary>
    /// Shutdown: no new runs; wait up to the grace period for runs in progress; cancel their tokens; then record
    /// <see cref="JobSessionStatus.Cancelled"/> for any job that still has not returned, so nothing stays Running.
    /// </summary>
    public async Task StopAsync(ShutdownProgress progress, CancellationToken hostDeadline)
    {
        _stopping = true;
        var drainedSource = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _drained, drainedSource); // a full fence: the count below is read after the publication
        var count = ActiveCount;
        if (count == 0)
        {
            drainedSource.TrySetResult();
        }

        var drained = drainedSource.Task;

        if (count > 0)
        {
            Log.SchedulerStoppingMessage(_logger, _options.ShutdownGracePeriod, count);
            await progress.WaitingOn(drained.WaitAsync(_options.ShutdownGracePeriod, _runner.Time, hostDeadline)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!drained.IsCompleted)
        {
            Log.RunsCancelledAtShutdownMessage(_logger, ActiveCount);
        }

        _runner.CancelRuns();
        if (!drained.IsCompleted)
        {
            await progress.WaitingOn(drained.WaitAsync(_options.ShutdownGracePeriod, _runner.Time, hostDeadline)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!drained.IsCompleted)
        {
            await CloseStragglersAsync().ConfigureAwait(false);
        }
    }

    public int ActiveCount => Volatile.Read(ref _activeCount);

    /// <summary>Gets the runs in progress (for the health check, which reports those executing an attempt).</summary>
    public RunSet ActiveRuns => _active;

    /// <summary>Returns whether every run in progress waits only on the test clock or a slot; otherwise describes one that does not.</summary>
    public bool IsSettled(out string? busy)
    {
        // The count covers every run in the set (a run is counted before it enters the set, uncounted after it
        // leaves), and the test host asks after every step of its clock: with nothing in progress, nothing is locked.
        if (ActiveCount == 0)
        {
            busy = null;
            return true;
        }

        if (_active.Find(static run => !run.IsSettled) is { } run)
        {
            busy = $"job '{run.Job.Name}' (occurrence {run.ScheduledAt:O}, attempt {run.Attempt}) is {run.Phase}";
            return false;
        }

        busy = null;
        return true;
    }

    private void Start(JobRun run)
    {
        Track(run);
        run.Phase = RunPhase.Dispatched;
        if (_runner.Monitor is { InlineDispatch: true })
        {
            // Test host: run on the firing thread up to the job's first real await, without the test's context.
            var context = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                ((IThreadPoolWorkItem)run).Execute();
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(context);
            }
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
        }
    }

    private void Track(JobRun run)
    {
        if (run.IsTracked)
        {
            return; // a cluster run is tracked from its claim on, before the overlap policy admits it
        }

        run.IsTracked = true;
        Interlocked.Increment(ref _activeCount);
        _active.Add(run);
    }

    private async Task RecordSkippedAsync(JobRun run)
    {
        JobSession? session = null;
        try
        {
            session = await _runner.RecordSkippedAsync(run, "a previous run was still running.").ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.SchedulerFaultMessage(_logger, ex, $"skip of job {run.Job.Name}");
        }
        finally
        {
            Complete(run, session);
        }
    }

    private void Drop(JobRun run)
    {
        if (run.Job.IsRemoved)
        {
            run.Completion?.TrySetCanceled();
            return;
        }

        Track(run);
        _ = RecordDroppedAsync(run);
    }

    private async Task RecordDroppedAsync(JobRun run)
    {
        JobSession? session = null;
        try
        {
            session = await _runner.RecordNeverStartedAsync(run, "The scheduler stopped before the queued run could start.").ConfigureAwait(false);
        }
        finally
        {
            Complete(run, session);
        }
    }

    private async Task CloseStragglersAsync()
    {
        foreach (var run in _active.ToList())
        {
            if (run.EndQueued)
            {
                continue; // the job returned: its end is known, and the end queue writes it
            }

            if (run.BuildRunningSession() is not { } current || !run.TryClaimEnd(current.Attempt))
            {
                continue;
            }

            var now = _runner.Time.GetUtcNow();
            var cancelled = current with
            {
                EndedAt = now,
                Duration = now - current.StartedAt,
                Status = JobSessionStatus.Cancelled,
                Error = "The job did not return after the shutdown grace period and cancellation; recorded Cancelled while it was still running.",
            };
            Log.RunIgnoredShutdownMessage(_logger, run.Job.Name, current.Id);
            await _runner.Recorder.RecordEndAsync(run, cancelled, CancellationToken.None).ConfigureAwait(false);
            run.Job.SetLastSession(cancelled);
            run.Completion?.TrySetResult(cancelled);

            JobRun? pending;
            lock (run.Job)
            {
                pending = run.Job.PendingRun;
                run.Job.PendingRun = null;
            }

            if (pending is not null)
            {
                var never = await _runner.RecordNeverStartedAsync(pending, "The scheduler stopped before the queued run could start.").ConfigureAwait(false);
                pending.Completion?.TrySetResult(never);
            }
        }
    }
}
