using JobScheduler.Execution;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows the due time of every armed timer, so the test host can step the
/// clock from one timer to the next, and that counts the timers a job's own code waits on, so the host knows when a
/// run can make no more progress without the clock.
/// </summary>
internal sealed class TrackingFakeTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly HashSet<TrackedTimer> _armed = [];
    private int _threadsInTimerCalls; // threads inside a TrackedTimer.Change, where the inner timers may fire any due waiter

    /// <summary>
    /// Gets how long, in real time, <see cref="StepTo"/> waits for other threads to leave their timer calls before it
    /// decides that a timer still armed did not fire.
    /// </summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the monitor told about every timer armed or disarmed, so a host waiting for a change sees new timers.</summary>
    public RunMonitor? Monitor { get; init; }

    /// <summary>Gets the earliest due time of any armed timer.</summary>
    public DateTimeOffset? NextTimerDue
    {
        get
        {
            lock (_armed)
            {
                DateTimeOffset? earliest = null;
                foreach (var timer in _armed)
                {
                    if (earliest is null || timer.DueAt < earliest)
                    {
                        earliest = timer.DueAt;
                    }
                }

                return earliest;
            }
        }
    }

    /// <summary>
    /// Moves the clock to <paramref name="due"/> (never back) and fires every timer due by then. Fails instead of letting
    /// the caller step forever when a timer that is due did not fire: <see cref="FakeTimeProvider.AdjustTime"/> moved it
    /// by an amount this provider cannot see.
    /// </summary>
    public void StepTo(DateTimeOffset due)
    {
        var now = GetUtcNow();
        var target = due > now ? due : now;
        List<(TrackedTimer Timer, DateTimeOffset DueAt)> mustFire = [];
        lock (_armed)
        {
            foreach (var timer in _armed)
            {
                if (timer.DueAt <= target)
                {
                    mustFire.Add((timer, timer.DueAt));
                }
            }
        }

        SetUtcNow(target);

        // A timer that fired is disarmed, or re-armed for a later time; one still armed for the same time never fired.
        foreach (var (timer, dueAt) in mustFire)
        {
            if (!timer.IsArmedFor(dueAt) || FiresWhenAskedAgain(timer, dueAt, target))
            {
                continue;
            }

            if (Volatile.Read(ref _threadsInTimerCalls) > 0)
            {
                throw new InvalidOperationException(
                    $"A timer due at {dueAt:O} did not fire when the clock reached {target:O}, and another thread has been arming " +
                    $"a timer for {GiveUpAfter.TotalSeconds:0.###} s of real time: a timer callback (a continuation of code that " +
                    "awaited the fake clock) blocks its thread, maybe on the test itself.");
            }

            throw new InvalidOperationException(
                $"A timer due at {dueAt:O} did not fire when the clock reached {target:O}: AdjustTime moved the clock, " +
                "and pending timers with it, by an amount the test host cannot see. After AdjustTime, let the pending waits " +
                "run out with Clock.Advance (the scheduler waits at most MaxTimerWait) and WaitForIdleAsync before advancing " +
                "through the test host again.");
        }
    }

    /// <summary>
    /// Gives a timer that still looks due more turns. Another thread arming a timer may be firing this one (the inner fake
    /// timers fire due waiters on whichever thread arms or moves the clock) and be preempted before its callback ran, or
    /// may have re-armed it for this very time while the clock moved (a zero wait). Only once no other thread is inside
    /// a timer call can a timer that still looks due be one AdjustTime moved.
    /// </summary>
    private bool FiresWhenAskedAgain(TrackedTimer timer, DateTimeOffset dueAt, DateTimeOffset target)
    {
        // A liveness guard only: a timer callback that blocks the thread arming it would otherwise keep this spinning.
        var giveUpAt = TimeProvider.System.GetTimestamp() + (long)(GiveUpAfter.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var spinner = new SpinWait();
        while (true)
        {
            SetUtcNow(target);
            if (!timer.IsArmedFor(dueAt))
            {
                return true;
            }

            if (Volatile.Read(ref _threadsInTimerCalls) == 0 || TimeProvider.System.GetTimestamp() > giveUpAt)
            {
                return !timer.IsArmedFor(dueAt);
            }

            spinner.SpinOnce();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Only timers created while a job's own code runs (or while a retry or a cluster lease waits) count as the run waiting on the clock.
        var run = RunMonitor.CurrentRun.Value is { Phase: RunPhase.InJob or RunPhase.RetryDelay or RunPhase.WaitingForLease } current ? current : null;
        var tracked = new TrackedTimer(this, callback, state, run);
        tracked.Inner = base.CreateTimer(static s => ((TrackedTimer)s!).Fire(), tracked, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        tracked.Change(dueTime, period);
        return tracked;
    }

    private void SetArmed(TrackedTimer timer, bool armed)
    {
        bool changed;
        lock (_armed)
        {
            changed = armed ? _armed.Add(timer) : _armed.Remove(timer);
        }

        if (changed)
        {
            Monitor?.NotifyChanged();
        }
    }

    private sealed class TrackedTimer(TrackingFakeTimeProvider owner, TimerCallback callback, object? state, JobRun? run) : ITimer
    {
        private readonly object _gate = new();
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _armed;
        private bool _disposed;
        private long _generation; // moves on each Change and each firing

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset DueAt { get; private set; }

        public bool IsArmedFor(DateTimeOffset dueAt)
        {
            lock (_gate)
            {
                return _armed && DueAt == dueAt;
            }
        }

        /// <summary>Gets a value indicating whether the timer is armed as the Change that saw <paramref name="generation"/> left it: not fired, not changed since.</summary>
        private bool IsStill(long generation)
        {
            lock (_gate)
            {
                return _armed && _generation == generation;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref owner._threadsInTimerCalls);
            try
            {
                DateTimeOffset dueAt;
                long generation;
                lock (_gate)
                {
                    if (_disposed)
                    {
                        return false;
                    }

                    _period = period;
                    var arm = dueTime != Timeout.InfiniteTimeSpan;
                    if (!arm)
                    {
                        SetArmedLocked(false);
                        return Inner.Change(dueTime, period);
                    }

                    dueAt = owner.GetUtcNow() + dueTime;
                    DueAt = dueAt;
                    generation = ++_generation;
                    SetArmedLocked(true);
                }

                // The inner fake timer counts from the clock as it reads it, and may fire at once (due now; Fire takes the
                // lock itself). Another thread may move the clock between the two reads: then arm it again for what is
                // left until DueAt, so the inner timer is due exactly when this one says it is.
                while (true)
                {
                    var now = owner.GetUtcNow();
                    var left = dueAt - now;
                    var changed = Inner.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, period);
                    if (!changed || owner.GetUtcNow() == now || !IsStill(generation))
                    {
                        return changed;
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref owner._threadsInTimerCalls);
            }
        }

        public void Fire()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _generation++;
                if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
                {
                    SetArmedLocked(false);
                }
                else
                {
                    DueAt += _period;
                    owner.SetArmed(this, true);
                }
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                SetArmedLocked(false);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void SetArmedLocked(bool armed)
        {
            owner.SetArmed(this, armed);
            if (armed != _armed)
            {
                _armed = armed;
                run?.AddClockWait(armed ? 1 : -1);
            }
        }
    }
}
