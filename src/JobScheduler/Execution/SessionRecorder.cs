using JobScheduler.Diagnostics;
using JobScheduler.Scheduling;
using JobScheduler.Sessions;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Execution;

/// <summary>
/// Records sessions through the <see cref="StoreWriteBuffer"/> and then tells the observers. Neither a store fault nor
/// an observer fault reaches the job or the schedule.
/// </summary>
/// <remarks>
/// The default in-memory store is written directly, into the job's own log: it cannot fail or wait, so it needs no
/// buffer, and a run of a job it already knows needs neither the lookup of the job's name nor a search for the id.
/// An attempt's start is not written to it when the attempt begins: the store writes the Running sessions still owed
/// before each read (<see cref="WriteDeferredStartsBeforeReads"/>), so a reader sees the same sessions, and an attempt
/// that ends unobserved, as nearly all do, costs one write instead of two. The store lives in this process and dies
/// with it, so a Running session there has no crash to survive; every other store gets the start as the attempt begins.
/// </remarks>
internal sealed class SessionRecorder(IJobSessionStore store, StoreWriteBuffer buffer, IJobRunObserver[] observers, ILogger logger, JobSchedulerInstrumentation instrumentation)
{
    public IJobSessionStore Store => store;

    public JobSchedulerInstrumentation Instrumentation => instrumentation;

    public StoreWriteBuffer Buffer => buffer;

    /// <summary>Gets a value indicating whether the store keeps each job's last occurrence (for catch-up after downtime).</summary>
    public bool KeepsOccurrences { get; } = store is IJobOccurrenceStore; // read per occurrence on the timer thread

    private readonly InMemoryJobSessionStore? _memory = store as InMemoryJobSessionStore;

    /// <summary>Records the start of the attempt <paramref name="run"/> has just begun.</summary>
    public ValueTask RecordStartAsync(JobRun run, CancellationToken cancellationToken)
    {
        JobSession? session = null;
        ValueTask write;
        if (_memory is not null)
        {
            // Nothing is written yet: a read of the store writes the Running session while the attempt is in progress
            // (WriteDeferredStarts), and otherwise the ended session is the attempt's one write.
            run.StartState = DeferredStartState.Deferred;
            write = ValueTask.CompletedTask;
        }
        else
        {
            session = run.BuildRunningSession()!;
            write = buffer.WriteAsync(StoreWriteBuffer.WriteKind.Start, session);
        }

        return observers.Length == 0 ? write : NotifyStartedAsync(write, session ?? run.BuildRunningSession()!, cancellationToken);
    }

    /// <summary>
    /// Makes every read of the default in-memory store first write the Running sessions of the attempts in progress in
    /// <paramref name="dispatcher"/> whose start is still deferred; nothing for any other store.
    /// </summary>
    /// <returns>The registration, to dispose when the engine stops; <see langword="null"/> for any other store.</returns>
    public IDisposable? WriteDeferredStartsBeforeReads(RunDispatcher dispatcher)
        => _memory?.OnBeforeRead(() => WriteDeferredStarts(dispatcher));

    private void WriteDeferredStarts(RunDispatcher dispatcher)
    {
        if (dispatcher.ActiveCount == 0)
        {
            return; // nothing in progress, as at start-up, where the engine reads the store before any run
        }

        foreach (var run in dispatcher.ActiveRuns.ToList())
        {
            if (run.StartState == DeferredStartState.Deferred)
            {
                _memory!.WriteDeferredStart(LogOf(run.Job), run);
            }
        }
    }

    /// <summary>
    /// Records the end of a session left Running by an earlier process (crash recovery at start), whose job this
    /// configuration may no longer have.
    /// </summary>
    public ValueTask RecordRecoveredEndAsync(JobSession session, CancellationToken cancellationToken)
        => RecordEndOfAsync(run: null, session, cancellationToken);

    /// <summary>
    /// Records the end of a session of <paramref name="run"/>, which ends its attempt (or, before any attempt, the run):
    /// in the in-memory store, in place of the attempt's Running session if a read wrote one.
    /// </summary>
    public ValueTask RecordEndAsync(JobRun run, JobSession session, CancellationToken cancellationToken)
        => RecordEndOfAsync(run, session, cancellationToken);

    private ValueTask RecordEndOfAsync(JobRun? run, JobSession session, CancellationToken cancellationToken)
    {
        instrumentation.SessionEnded(session);
        var write = WriteEndToStore(run, session);
        return observers.Length == 0 ? write : NotifyEndedAsync(write, session, cancellationToken);
    }

    /// <summary>
    /// Reports the end of a session that is already in the store (a cluster takeover marked it Abandoned): metrics and
    /// observers, without writing it again. Never waits on the observers: the caller is the coordinator's heartbeat.
    /// </summary>
    public void ReportStoredEnd(JobSession session)
    {
        instrumentation.SessionEnded(session);
        if (observers.Length > 0)
        {
            _ = NotifyEndedAsync(ValueTask.CompletedTask, session, CancellationToken.None).AsTask();
        }
    }

    private async ValueTask NotifyStartedAsync(ValueTask write, JobSession session, CancellationToken cancellationToken)
    {
        await write.ConfigureAwait(false);
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnRunStartedAsync(session, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ObserverFailedMessage(logger, ex, observer.GetType().FullName ?? observer.GetType().Name, session.Id, session.JobName);
            }
        }
    }

    private async ValueTask NotifyEndedAsync(ValueTask write, JobSession session, CancellationToken cancellationToken)
    {
        await write.ConfigureAwait(false);
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnRunEndedAsync(session, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ObserverFailedMessage(logger, ex, observer.GetType().FullName ?? observer.GetType().Name, session.Id, session.JobName);
            }
        }
    }

    // Without observers (the common case) a write that completed leaves nothing to await: no async state machine per write.
    private ValueTask WriteEndToStore(JobRun? run, JobSession session)
    {
        if (_memory is null || run is null)
        {
            return buffer.WriteAsync(StoreWriteBuffer.WriteKind.End, session);
        }

        _memory.RecordEnd(LogOf(run.Job), session, run);
        return ValueTask.CompletedTask;
    }

    private SessionLog LogOf(ScheduledJob job) => job.SessionLog ??= _memory!.LogOf(job.Name);

    public ValueTask RecordOccurrenceAsync(string jobName, DateTimeOffset occurrence)
        => KeepsOccurrences ? buffer.WriteOccurrenceAsync(jobName, occurrence) : ValueTask.CompletedTask;

    /// <summary>Records an occurrence without waiting: the timer thread must not wait on the store (the buffer never throws).</summary>
    public void RecordOccurrenceInBackground(string jobName, DateTimeOffset occurrence)
    {
        var write = RecordOccurrenceAsync(jobName, occurrence);
        if (!write.IsCompleted)
        {
            _ = write.AsTask();
        }
    }
}
