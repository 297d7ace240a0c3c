using JobScheduler.Execution;

namespace JobScheduler.Diagnostics;

/// <summary>
/// What the health check reads, kept in process so a probe never queries the session store: whether the scheduler
/// runs, the attempts executing now, and a ring of the most recent failed runs.
/// </summary>
internal sealed class JobSchedulerHealthState
{
    /// <summary>How many failed runs are remembered; counts in the health check saturate here.</summary>
    public const int FailureCapacity = 1024;

    // The dispatcher's runs in progress; those executing an attempt are flagged. A set of its own here cost every attempt
    // two more lock round trips.
    private RunSet? _runs;
    private readonly object _failuresLock = new();
    private Failure[]? _failures;
    private int _nextFailure;
    private int _failureCount;
    private int _state;

    /// <summary>Gets whether the scheduler has not started, runs, or has stopped.</summary>
    public SchedulerState State => (SchedulerState)Volatile.Read(ref _state);

    public void MarkStarted() => Interlocked.CompareExchange(ref _state, (int)SchedulerState.Running, (int)SchedulerState.NotStarted);

    public void MarkStopped() => Volatile.Write(ref _state, (int)SchedulerState.Stopped);

    /// <summary>Lets the health state see the runs in progress (set once by the scheduler).</summary>
    public void ObserveRuns(RunSet runs) => Volatile.Write(ref _runs, runs);

    public static void AttemptStarted(JobRun run) => run.InAttempt = true;

    public static void AttemptEnded(JobRun run) => run.InAttempt = false;

    /// <summary>Returns every job with an attempt executing now, and how long its longest one has run.</summary>
    public Dictionary<string, TimeSpan> GetRunning(DateTimeOffset now)
    {
        var running = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        foreach (var run in Volatile.Read(ref _runs)?.ToList() ?? [])
        {
            if (!run.InAttempt)
            {
                continue;
            }

            var runningFor = TimeSpan.FromTicks(now.UtcTicks - run.AttemptStartedUtcTicks);
            var name = run.Job.Name;
            if (!running.TryGetValue(name, out var longest) || runningFor > longest)
            {
                running[name] = runningFor;
            }
        }

        return running;
    }

    public void RecordFailure(JobSession session)
    {
        var failure = new Failure(session.EndedAt ?? session.StartedAt, session.JobName);
        lock (_failuresLock)
        {
            _failures ??= new Failure[FailureCapacity];
            _failures[_nextFailure] = failure;
            _nextFailure = (_nextFailure + 1) % FailureCapacity;
            _failureCount = Math.Min(_failureCount + 1, FailureCapacity);
        }
    }

    /// <summary>Counts the remembered failed runs that ended at or after <paramref name="since"/>, per job.</summary>
    public Dictionary<string, int> GetFailuresSince(DateTimeOffset since, out int total)
    {
        var byJob = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        total = 0;
        lock (_failuresLock)
        {
            for (var i = 0; i < _failureCount; i++)
            {
                var failure = _failures![i];
                if (failure.EndedAt >= since)
                {
                    total++;
                    byJob[failure.JobName] = byJob.GetValueOrDefault(failure.JobName) + 1;
                }
            }
        }

        return byJob;
    }

    private readonly record struct Failure(DateTimeOffset EndedAt, string JobName);

    internal enum SchedulerState
    {
        NotStarted,
        Running,
        Stopped,
    }
}
