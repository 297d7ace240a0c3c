using System.Runtime.CompilerServices;
using JobScheduler.Diagnostics;
using JobScheduler.Execution;
using JobScheduler.Hosting;
using JobScheduler.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JobScheduler.Scheduling;

/// <summary>
/// The scheduler: one timer armed for the earliest due time in the <see cref="OccurrenceQueue"/>, never early and
/// capped at <see cref="JobSchedulerOptions.MaxTimerWait"/>; each due occurrence goes to the <see cref="RunDispatcher"/>.
/// Also the <see cref="IJobScheduler"/> that operators use.
/// </summary>
internal sealed class JobSchedulerEngine : IJobScheduler, ICoordinatedScheduler, IDisposable
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    /// <summary>How many due runs the timer collects under the lock before it starts them.</summary>
    private const int DispatchBatchSize = 256;

    private readonly object _lock = new();

    // The list of due runs the last wake-up used, kept for the next: at DispatchBatchSize it is 12 KB, and most
    // wake-ups start one run or a few (a new list per wake-up was most of W5's allocation, and 1.2 KB per run at W1).
    private List<DueRun>? _spareDue;
    private readonly Dictionary<string, ScheduledJob> _jobs = new(StringComparer.OrdinalIgnoreCase);
    private readonly OccurrenceQueue _queue = new();
    private readonly JobSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly PreciseWake _wake;
    private readonly ILogger _logger;
    private readonly IServiceProviderIsService? _isService;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, JobActivator> _activators = new();
    private readonly RunDispatcher _dispatcher;
    private readonly JobRunner _runner;
    private readonly SessionRetentionSweeper _retention;
    private readonly IDisposable? _deferredStarts; // the in-memory store's reads write the starts of attempts in progress
    private readonly ShutdownProgress _shutdown;
    private readonly IRunCoordinator? _coordinator;
    private readonly RunMonitor? _monitor;

    /// <summary>Cluster mode: per RunOnce job, the latest occurrence no instance could claim during an outage (engine lock).</summary>
    private readonly Dictionary<ScheduledJob, DateTimeOffset> _unclaimed = [];
    private ITimer? _timer;
    private bool _started;
    private bool _stopped;

    public JobSchedulerEngine(
        IOptionsMonitor<JobSchedulerOptions> options,
        JobDefinitionSet jobs,
        IJobSessionStore store,
        IEnumerable<IJobRunObserver> observers,
        IServiceScopeFactory scopeFactory,
        IServiceProvider services,
        TimeProvider time,
        JobSchedulerInstrumentation instrumentation,
        ILoggerFactory? loggerFactory = null)
    {
        // The instance host start-up validated (ValidateOnStart reads the monitor too), so the job definitions it built
        // are reused; resolved before start, this runs every validator and a bad job fails here with all problems listed.
        _options = options.CurrentValue;
        _time = time;
        _wake = new PreciseWake(time);
        _logger = (ILogger?)loggerFactory?.CreateLogger("JobScheduler") ?? NullLogger.Instance;
        _isService = services.GetService<IServiceProviderIsService>();

        var monitor = services.GetService<RunMonitor>();
        _monitor = monitor;
        _coordinator = services.GetService<IRunCoordinator>();
        _shutdown = new ShutdownProgress(monitor);
        var recorder = new SessionRecorder(store, new StoreWriteBuffer(store, time, _options, _logger, monitor), [.. observers], _logger, instrumentation);
        instrumentation.ObserveStoreQueue(recorder.Buffer);
        _runner = new JobRunner(new ConcurrencyGate(_options.MaxConcurrentRuns), recorder, scopeFactory, time, _options, _logger, monitor, _coordinator);
        _dispatcher = new RunDispatcher(_runner, _options, _logger);
        _dispatcher.OnUnclaimed(OnUnclaimed);
        instrumentation.Health.ObserveRuns(_dispatcher.ActiveRuns);
        _deferredStarts = recorder.WriteDeferredStartsBeforeReads(_dispatcher);
        _retention = new SessionRetentionSweeper(store, _options, time, _logger);

        var (definitions, problems) = jobs.Build(_options);
        foreach (var definition in definitions)
        {
            _jobs.Add(definition.Name, new ScheduledJob(CreatePlan(definition)));
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(JobSchedulerOptions), problems);
        }
    }

    /// <summary>Returns whether every run and the store write queue wait only on the clock (or are done), for the test host.</summary>
    internal bool IsSettled(out string? busy)
    {
        if (!_dispatcher.IsSettled(out busy))
        {
            return false;
        }

        if (!_shutdown.IsSettled)
        {
            busy = "the scheduler is shutting down";
            return false;
        }

        if (_coordinator is not null && !_coordinator.IsSettled(out busy))
        {
            return false;
        }

        if (!_runner.Recorder.Buffer.IsSettled)
        {
            busy = $"the session store write queue ({_runner.Recorder.Buffer.QueuedCount} write(s)) is being flushed";
            return false;
        }

        return true;
    }

    /// <summary>Gets the earliest time any job is due (schedule or one-off), for the test host.</summary>
    internal DateTimeOffset? NextDueTime
    {
        get
        {
            lock (_lock)
            {
                return _queue.PeekTime();
            }
        }
    }

    public IJobSessionStore Store => _runner.Recorder.Store;

    /// <summary>Recovers sessions a dead predecessor left Running, schedules every job, arms the timer, runs start-up jobs.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A store this process has never written (the in-memory default, new with the process) holds nothing to
        // recover: not reading it spares a start-up the first compilation of the whole read path.
        if (Store is not InMemoryJobSessionStore { IsUnwritten: true })
        {
            await AbandonLeftoverSessionsAsync(cancellationToken).ConfigureAwait(false);
        }

        var catchUps = Store is IJobOccurrenceStore occurrences
            ? await FindCatchUpsAsync(occurrences, cancellationToken).ConfigureAwait(false)
            : null;

        List<ScheduledJob> startupJobs = [];
        ScheduledJob[] jobs;
        lock (_lock)
        {
            if (_started)
            {
                return;
            }

            jobs = [.. _jobs.Values];

            var now = _time.GetUtcNow();
            foreach (var job in _jobs.Values)
            {
                var definition = job.Plan.Definition;
                if (!definition.Enabled)
                {
                    Log.JobDisabledMessage(_logger, job.Name);
                    continue;
                }

                ScheduleNext(job, now, logScheduled: true);
                if (definition.RunOnStartup)
                {
                    startupJobs.Add(job);
                }
            }

            using (ExecutionContext.SuppressFlow())
            {
                // No ambient state (activities, async locals) of the starting thread may leak into every run.
                _timer = _time.CreateTimer([MethodImpl(MethodImplOptions.AggressiveOptimization)] static (s) => ((JobSchedulerEngine)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            _started = true;
            _runner.Recorder.Instrumentation.Health.MarkStarted();
            Arm(now);
            Log.SchedulerStartedMessage(_logger, _jobs.Count, _options.InstanceId);
        }

        if (_coordinator is not null)
        {
            await _coordinator.StartAsync(this, cancellationToken).ConfigureAwait(false);
        }

        var startedAt = _time.GetUtcNow();
        if (catchUps is not null)
        {
            await FireCatchUpsAsync(catchUps).ConfigureAwait(false);
        }

        foreach (var job in startupJobs)
        {
            _dispatcher.Fire(job, startedAt, JobTrigger.Scheduled, SessionIds.NewId());
        }

        _retention.Start();

        // One store read per job is not worth delaying start-up for: the history loads while the schedule already runs.
        if (Store is not InMemoryJobSessionStore) // a new process has nothing in memory yet
        {
            LastSessionsLoaded = Task.Run(() => LoadLastSessionsAsync(jobs, _runner.RunsToken), CancellationToken.None);
        }
    }

    /// <summary>Gets the background load of <see cref="JobInfo.LastSession"/> from the store, for the test host.</summary>
    internal Task LastSessionsLoaded { get; private set; } = Task.CompletedTask;

    /// <summary>Marks a shutdown as begun before the host gets to <see cref="StopAsync"/>, for the test host.</summary>
    internal void BeginStop() => _shutdown.Begin();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _timer?.Dispose();
        }

        _wake.Stop();
        _shutdown.Begin();
        try
        {
            _runner.Recorder.Instrumentation.Health.MarkStopped();
            _retention.Dispose();
            await _dispatcher.StopAsync(_shutdown, cancellationToken).ConfigureAwait(false);
            await _runner.Recorder.Buffer.FlushAsync(_shutdown, cancellationToken).ConfigureAwait(false);
            if (_coordinator is not null)
            {
                await _coordinator.StopAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _shutdown.End();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopped = true;
            _timer?.Dispose();
        }

        _wake.Stop();
        _runner.Recorder.Instrumentation.Health.MarkStopped();
        _retention.Dispose();
        _deferredStarts?.Dispose();
        _runner.Dispose();
        _runner.Recorder.Buffer.Dispose();
    }

    public IReadOnlyList<JobInfo> GetJobs()
    {
        lock (_lock)
        {
            var jobs = new List<JobInfo>(_jobs.Count);
            foreach (var job in _jobs.Values)
            {
                jobs.Add(Describe(job));
            }

            jobs.Sort(static (a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
            return jobs;
        }
    }

    public JobInfo GetJob(string name)
    {
        lock (_lock)
        {
            return Describe(Find(name));
        }
    }

    public Task<JobRunHandle> TriggerAsync(string name, CancellationToken cancellationToken = default)
    {
        ScheduledJob job;
        lock (_lock)
        {
            job = FindRunnable(name);
        }

        var run = _dispatcher.Fire(job, _time.GetUtcNow(), JobTrigger.Manual, SessionIds.NewId(), withCompletion: true);
        return Task.FromResult(new JobRunHandle(run.FirstSessionId, run.Completion!.Task));
    }

    public Task<Guid> ScheduleOnceAsync(string name, DateTimeOffset runAt, CancellationToken cancellationToken = default)
    {
        var sessionId = SessionIds.NewId();
        ScheduledJob job;
        DateTimeOffset now;
        lock (_lock)
        {
            job = FindRunnable(name);
            now = _time.GetUtcNow();
            if (runAt > now)
            {
                job.AddOneOff(runAt);
                _queue.EnqueueOneOff(job, runAt, sessionId);
                Arm(now);
                return Task.FromResult(sessionId);
            }
        }

        _dispatcher.Fire(job, now, JobTrigger.Scheduled, sessionId);
        return Task.FromResult(sessionId);
    }

    public void Pause(string name)
    {
        lock (_lock)
        {
            var job = Find(name);
            if (job.IsPaused)
            {
                return;
            }

            job.IsPaused = true;
            job.Version++;
            job.NextDue = null;
            Log.JobPausedMessage(_logger, job.Name);
        }
    }

    public void Resume(string name)
    {
        lock (_lock)
        {
            var job = Find(name);
            EnsureEnabled(job);
            if (!job.IsPaused)
            {
                return;
            }

            job.IsPaused = false;
            job.Version++;
            var now = _time.GetUtcNow();
            ScheduleNext(job, now, logScheduled: false);
            Arm(now);
            Log.JobResumedMessage(_logger, job.Name, job.NextDue);
        }
    }

    public void Reschedule(string name, string cronExpression)
    {
        ArgumentNullException.ThrowIfNull(cronExpression);
        lock (_lock)
        {
            var job = Find(name);
            var definition = job.Plan.Definition;
            if (!CronExpressionParser.TryParse(cronExpression, out var expression, out var error))
            {
                throw new ArgumentException($"Cannot reschedule job '{job.Name}' ({definition.JobType.FullName}): {error}.", nameof(cronExpression));
            }

            // The time zone was validated when the job was defined.
            TimeZoneResolver.TryFind(definition.TimeZoneId, out var zone, out _);
            job.Plan = job.Plan with { Definition = definition with { Schedule = new CronSchedule(expression, zone!, cronExpression.Trim()) } };
            job.Version++;
            job.NextDue = null;
            if (_started && !job.IsPaused && definition.Enabled)
            {
                var now = _time.GetUtcNow();
                ScheduleNext(job, now, logScheduled: false);
                Arm(now);
            }

            Log.JobRescheduledMessage(_logger, job.Name, cronExpression, job.NextDue);
        }
    }

    public void AddJob<TJob>(string? cronExpression, Action<JobBuilder>? configure = null)
        where TJob : class, IJob
    {
        var registration = JobRegistration.FromAttributes(typeof(TJob));
        registration.Cron = cronExpression;
        registration.Interval = null;
        configure?.Invoke(new JobBuilder(registration));

        var problems = new List<string>();
        var definition = JobDefinitionFactory.TryCreate(registration, overrides: null, problems);
        if (definition is null)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(cronExpression));
        }

        var job = new ScheduledJob(CreatePlan(definition));
        lock (_lock)
        {
            if (_jobs.TryGetValue(definition.Name, out var existing))
            {
                throw new ArgumentException(
                    $"Job '{definition.Name}' ({definition.JobType.FullName}): the name is already used by {existing.Plan.Definition.JobType.FullName}.",
                    nameof(configure));
            }

            _jobs.Add(definition.Name, job);
            if (_started && !_stopped)
            {
                var now = _time.GetUtcNow();
                ScheduleNext(job, now, logScheduled: true);
                Arm(now);
            }

            Log.JobAddedMessage(_logger, definition.Name);
        }
    }

    public bool RemoveJob(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ScheduledJob? job;
        lock (_lock)
        {
            if (!_jobs.Remove(name, out job))
            {
                return false;
            }

            job.IsRemoved = true;
            job.Version++;
            job.NextDue = null;
        }

        RunDispatcher.DropPending(job);
        Log.JobRemovedMessage(_logger, job.Name, job.RunningCount);
        return true;
    }

    // Called about once a second, a timer callback stays in unoptimized code (tier 0, then instrumented) for its first
    // thirty-odd wake-ups, each draining thousands of due jobs there: compiled optimized at once, the first half-minute of
    // a busy schedule is not dispatched at a fraction of the speed of the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnTimer()
    {
        // One list for every batch of this wake-up (a new one per batch cost ~85 bytes per run at 10,000 runs a second),
        // and the same list for the next wake-up.
        var due = Interlocked.Exchange(ref _spareDue, null) ?? new List<DueRun>(DispatchBatchSize);
        try
        {
            DispatchDue(due);
        }
        finally
        {
            due.Clear();
            Volatile.Write(ref _spareDue, due);
        }
    }

    /// <summary>Starts every run due by now, a batch at a time, then arms the timer for the next due time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the body of OnTimer
    private void DispatchDue(List<DueRun> due)
    {
        DateTimeOffset? now = null;
        DateTimeOffset? spinUntil = null;
        var more = true;
        while (more)
        {
            due.Clear();
            lock (_lock)
            {
                if (_stopped)
                {
                    return;
                }

                now ??= _time.GetUtcNow();
                more = false;
                try
                {
                    while (_queue.TryDequeueDue(now.Value, out var entry, out var at))
                    {
                        if (entry.OneOffSessionId is { } sessionId)
                        {
                            entry.Job.OneOffs?.Remove(at);
                            due.Add(new DueRun(entry.Job, at, JobTrigger.Scheduled, sessionId, KeepOccurrence: false, Claim: false));
                        }
                        else
                        {
                            CollectDue(entry.Job, at, now.Value, due);
                        }

                        if (due.Count >= DispatchBatchSize)
                        {
                            // Many jobs due at once: start this batch before computing the rest, so the first runs are not
                            // late by the time it takes to reschedule every other job.
                            more = true;
                            break;
                        }
                    }
                }
                catch (Exception ex)
                {
                    Log.SchedulerFaultMessage(_logger, ex, "timer");
                }

                if (!more)
                {
                    // Measured from now, not from the wake-up: the loop above may have taken milliseconds, and a delay
                    // from a stale time would fire that much late (never early: a fresher time only shortens the wait).
                    var fresh = _time.GetUtcNow();
                    if (due.Count == 0 && _queue.PeekTime() is { } head && _wake.ShouldSpin(head - fresh))
                    {
                        spinUntil = head; // woke early, as armed: the last few milliseconds are waited out, outside the lock
                    }
                    else
                    {
                        Arm(fresh);
                    }
                }
            }

            if (spinUntil is { } until)
            {
                _wake.WaitUntil(until, () => Volatile.Read(ref _stopped));
                spinUntil = null;
                now = null;
                more = true;
                continue;
            }

            if (due.Count == 0)
            {
                return;
            }

            // Dispatch outside the lock: a job (inline in tests) may call back into this scheduler.
            foreach (var (job, at, trigger, sessionId, keepOccurrence, claim) in due)
            {
                try
                {
                    _dispatcher.Fire(job, at, trigger, sessionId, claim: claim);
                    if (keepOccurrence)
                    {
                        _runner.Recorder.RecordOccurrenceInBackground(job.Name, at);
                    }
                }
                catch (Exception ex)
                {
                    Log.SchedulerFaultMessage(_logger, ex, $"dispatch of job {job.Name}");
                }
            }
        }
    }

    /// <summary>
    /// Adds the job's occurrences due by <paramref name="now"/>, starting at <paramref name="at"/>, and queues the next.
    /// Occurrences later than <see cref="JobSchedulerOptions.MisfireThreshold"/> are misfires: dropped, or replaced by
    /// one catch-up run. The next occurrence is computed from the one just reached, never from now, so an early wake
    /// cannot select the same occurrence twice.
    /// </summary>
    private void CollectDue(ScheduledJob job, DateTimeOffset at, DateTimeOffset now, List<DueRun> due)
    {
        // Only RunOnce jobs need their last occurrence to survive a restart; the others skip the write.
        var keepOccurrence = job.Misfire == MisfirePolicy.RunOnce && _runner.Recorder.KeepsOccurrences;
        var schedule = job.Schedule!;
        DateTimeOffset? occurrence = at;

        var cutoff = now - _options.MisfireThreshold;
        if (at < cutoff)
        {
            const int MaxCounted = 100_000;
            var missed = 0;
            var lastMissed = at;
            while (occurrence is { } o && o < cutoff && missed < MaxCounted)
            {
                missed++;
                lastMissed = o;
                occurrence = schedule.GetNextOccurrence(o);
            }

            if (occurrence is { } stillMissed && stillMissed < cutoff)
            {
                occurrence = schedule.GetNextOccurrence(cutoff - OneMillisecond);
            }

            job.LastFired = lastMissed;
            Log.OccurrencesMissedMessage(_logger, job.Name, missed, at, _options.MisfireThreshold, job.Misfire);
            if (job.Misfire == MisfirePolicy.RunOnce)
            {
                due.Add(new DueRun(job, lastMissed, JobTrigger.CatchUp, SessionIds.NewId(), keepOccurrence, Claim: true));
            }
        }

        while (occurrence is { } o && o <= now)
        {
            due.Add(new DueRun(job, o, JobTrigger.Scheduled, SessionIds.NewId(), keepOccurrence, Claim: true));
            job.LastFired = o;
            occurrence = schedule.GetNextOccurrence(o);
        }

        job.NextDue = occurrence;
        if (occurrence is { } next)
        {
            _queue.EnqueueOccurrence(job, next);
        }
    }

    /// <summary>Queues the job's first occurrence strictly after now (and after the last one fired, if the clock stepped back).</summary>
    private void ScheduleNext(ScheduledJob job, DateTimeOffset now, bool logScheduled)
    {
        var definition = job.Plan.Definition;
        job.NextDue = null;
        if (definition.Schedule is not { } schedule || job.IsPaused || !definition.Enabled)
        {
            return;
        }

        var from = job.LastFired is { } last && last > now ? last : now;
        job.NextDue = schedule.GetNextOccurrence(from);
        if (job.NextDue is { } next)
        {
            _queue.EnqueueOccurrence(job, next);
            if (logScheduled)
            {
                Log.JobScheduledMessage(_logger, job.Name, schedule.Text, definition.TimeZoneId, next);
            }
        }
        else
        {
            Log.JobNeverFiresMessage(_logger, job.Name, schedule.Text);
        }
    }

    /// <summary>Arms the one timer for the earliest due time: never before it, and never longer than the cap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per due time, as OnTimer is
    private void Arm(DateTimeOffset now)
    {
        if (_timer is null || _stopped)
        {
            return;
        }

        if (_queue.PeekTime() is not { } due)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var delay = due - now - _wake.ArmLead;
        if (delay > _options.MaxTimerWait)
        {
            delay = _options.MaxTimerWait;
        }

        // Timers drop sub-millisecond parts and may wake a few ms early; round up, and OnTimer re-arms if still early.
        var ticks = Math.Max(delay.Ticks, OneMillisecond.Ticks);
        var rounded = TimeSpan.FromTicks((ticks + OneMillisecond.Ticks - 1) / OneMillisecond.Ticks * OneMillisecond.Ticks);
        _timer.Change(rounded, Timeout.InfiniteTimeSpan);
    }

    // One activator per job class: building its factory compiles code (~70 µs), and many jobs often share a class.
    // In a cluster every instance must compute the same occurrences, so intervals count from the Unix epoch, not from start.
    private JobPlan CreatePlan(JobDefinition definition)
        => new(
            _coordinator is not null && definition.Schedule is IntervalSchedule interval ? definition with { Schedule = interval.AlignedToEpoch() } : definition,
            AttemptPipelineFactory.Create(definition, _time, _logger),
            _activators.GetOrAdd(definition.JobType, static (type, isService) => new JobActivator(type, isService), _isService));

    private static JobInfo Describe(ScheduledJob job)
    {
        var definition = job.Plan.Definition;
        DateTimeOffset? next = definition.Enabled && !job.IsPaused ? job.NextDue : null;
        if (job.OneOffs is { } oneOffs)
        {
            foreach (var oneOff in oneOffs)
            {
                if (next is null || oneOff < next)
                {
                    next = oneOff;
                }
            }
        }

        return new JobInfo
        {
            Name = definition.Name,
            JobType = definition.JobType.FullName ?? definition.JobType.Name,
            Schedule = definition.Schedule?.Text,
            TimeZone = definition.TimeZoneId,
            NextRunAt = next,
            IsPaused = job.IsPaused,
            IsEnabled = definition.Enabled,
            RunningCount = job.RunningCount,
            LastSession = job.LastSession,
        };
    }

    private ScheduledJob Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_jobs.TryGetValue(name, out var job))
        {
            return job;
        }

        var known = _jobs.Count == 0 ? "none" : string.Join(", ", _jobs.Keys.Order(StringComparer.OrdinalIgnoreCase));
        throw new KeyNotFoundException($"No job is named '{name}'. Registered jobs: {known}.");
    }

    private ScheduledJob FindRunnable(string name)
    {
        var job = Find(name);
        EnsureEnabled(job);
        if (!_started || _stopped)
        {
            throw new InvalidOperationException($"Cannot run job '{job.Name}': the job scheduler is not running (start the host first).");
        }

        return job;
    }

    private static void EnsureEnabled(ScheduledJob job)
    {
        if (!job.Plan.Definition.Enabled)
        {
            throw new InvalidOperationException(
                $"Job '{job.Name}' is disabled by configuration ({JobSchedulerDefaults.ConfigurationSection}:Jobs:{job.Name}:Enabled = false).");
        }
    }

    /// <summary>
    /// For <see cref="MisfirePolicy.RunOnce"/> jobs on a store that keeps occurrences: finds those whose schedule passed
    /// an occurrence while the scheduler was down, and returns one catch-up run each, for the latest missed occurrence.
    /// Every such job also resumes after its last recorded occurrence, so a restart never fires one twice.
    /// </summary>
    private async Task<List<(ScheduledJob Job, DateTimeOffset Occurrence)>> FindCatchUpsAsync(IJobOccurrenceStore occurrences, CancellationToken cancellationToken)
    {
        List<(ScheduledJob, DateTimeOffset)> catchUps = [];
        var now = _time.GetUtcNow();
        foreach (var job in _jobs.Values)
        {
            var definition = job.Plan.Definition;
            if (definition is not { Misfire: MisfirePolicy.RunOnce, Enabled: true, Schedule: { } schedule })
            {
                continue;
            }

            DateTimeOffset? last;
            try
            {
                last = await occurrences.GetLastOccurrenceAsync(job.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.SchedulerFaultMessage(_logger, ex, $"catch-up check of job {job.Name}");
                continue;
            }

            if (last is not { } lastFired)
            {
                continue;
            }

            job.LastFired = lastFired;
            if (schedule.GetNextOccurrence(lastFired) is not { } missed || missed > now)
            {
                continue;
            }

            const int MaxSteps = 1_000_000;
            for (var steps = 0; steps < MaxSteps && schedule.GetNextOccurrence(missed) is { } later && later <= now; steps++)
            {
                missed = later;
            }

            job.LastFired = missed;
            Log.CatchUpRunMessage(_logger, job.Name, lastFired, missed);
            catchUps.Add((job, missed));
        }

        return catchUps;
    }

    private async Task FireCatchUpsAsync(List<(ScheduledJob Job, DateTimeOffset Occurrence)> catchUps)
    {
        foreach (var (job, occurrence) in catchUps)
        {
            _dispatcher.Fire(job, occurrence, JobTrigger.CatchUp, SessionIds.NewId(), claim: true);
            await _runner.Recorder.RecordOccurrenceAsync(job.Name, occurrence).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Fills <see cref="JobInfo.LastSession"/> from a persistent store, so a restart does not blank it until each job
    /// runs; a run that ends first keeps its own, newer session.
    /// </summary>
    private async Task LoadLastSessionsAsync(ScheduledJob[] jobs, CancellationToken cancellationToken)
    {
        foreach (var job in jobs)
        {
            try
            {
                var newest = await Store.GetSessionsByJobAsync(job.Name, limit: 1, cancellationToken).ConfigureAwait(false);
                if (newest.Count == 1)
                {
                    job.SetLastSessionIfNone(newest[0]);
                }
            }
            catch (OperationCanceledException)
            {
                return; // stopping
            }
            catch (Exception ex)
            {
                Log.SchedulerFaultMessage(_logger, ex, "loading the last sessions (the store is unreadable; LastSession fills as jobs run)");
                return;
            }
        }
    }

    private async Task AbandonLeftoverSessionsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<JobSession> running;
        try
        {
            running = await Store.GetRunningSessionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SchedulerFaultMessage(_logger, ex, "crash recovery (reading Running sessions)");
            return;
        }

        var now = _time.GetUtcNow();
        var abandoned = 0;
        foreach (var session in running)
        {
            if (!string.Equals(session.InstanceId, _options.InstanceId, StringComparison.Ordinal))
            {
                continue;
            }

            abandoned++;
            await _runner.Recorder.RecordRecoveredEndAsync(
                session with
                {
                    Status = JobSessionStatus.Abandoned,
                    EndedAt = now,
                    Duration = now - session.StartedAt,
                    Error = $"Instance '{_options.InstanceId}' stopped while this attempt was running (process killed or crashed); found Running at the next start.",
                },
                cancellationToken).ConfigureAwait(false);
        }

        if (abandoned > 0)
        {
            Log.SessionsAbandonedMessage(_logger, abandoned, _options.InstanceId);
        }
    }

    string[] ICoordinatedScheduler.JobsThatRerunAbandonedRuns()
    {
        lock (_lock)
        {
            return [.. _jobs.Values.Where(static j => j.Plan.Definition is { Misfire: MisfirePolicy.RunOnce, Enabled: true }).Select(static j => j.Name)];
        }
    }

    void ICoordinatedScheduler.SessionsAbandoned(IReadOnlyList<JobSession> sessions)
    {
        foreach (var session in sessions)
        {
            _runner.Recorder.ReportStoredEnd(session);
        }
    }

    void ICoordinatedScheduler.RunTakenOver(string jobName, DateTimeOffset occurrence, Guid runId)
    {
        ScheduledJob? job;
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobName, out job) || _stopped)
            {
                job = null;
            }
        }

        if (job is null)
        {
            _coordinator!.Finish(jobName, occurrence, runId); // removed meanwhile, or stopping: nothing to run
            return;
        }

        Log.TakenOverRunMessage(_logger, job.Name, occurrence);
        _dispatcher.FireClaimed(job, occurrence, JobTrigger.CatchUp, runId);
    }

    void ICoordinatedScheduler.CoordinationRestored()
    {
        KeyValuePair<ScheduledJob, DateTimeOffset>[] catchUps;
        lock (_lock)
        {
            if (_unclaimed.Count == 0 || _stopped)
            {
                return;
            }

            catchUps = [.. _unclaimed];
            _unclaimed.Clear();
        }

        foreach (var (job, occurrence) in catchUps)
        {
            Log.CoordinationCatchUpMessage(_logger, job.Name, occurrence);
            _dispatcher.Fire(job, occurrence, JobTrigger.CatchUp, SessionIds.NewId(), claim: true);
        }
    }

    void ICoordinatedScheduler.NotifyChanged() => _monitor?.NotifyChanged();

    /// <summary>
    /// An occurrence no instance could claim (the store was unreachable) is not run. A RunOnce job keeps the latest such
    /// occurrence, claimed as one catch-up run once coordination is back; the claim key makes it run once in the cluster.
    /// </summary>
    private void OnUnclaimed(JobRun run)
    {
        Log.OccurrenceNotClaimedMessage(_logger, run.Job.Name, run.ScheduledAt);
        if (run.Plan.Definition.Misfire != MisfirePolicy.RunOnce)
        {
            return;
        }

        lock (_lock)
        {
            if (!_unclaimed.TryGetValue(run.Job, out var latest) || latest < run.ScheduledAt)
            {
                _unclaimed[run.Job] = run.ScheduledAt;
            }
        }
    }

    private readonly record struct DueRun(ScheduledJob Job, DateTimeOffset At, JobTrigger Trigger, Guid SessionId, bool KeepOccurrence, bool Claim);
}
