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
        List<(TrackedTimer Timer, DateTimeOffset DueAt)> mustFire;
        lock (_armed)
        {
            mustFire = [.. _armed.Where(t => t.DueAt <= target).Select(t => (t, t.DueAt))];
        }

        SetUtcNow(target);

        // A timer that fired is disarmed, or re-armed for a later time; one still armed for the same time never fired.
        foreach (var (timer, dueAt) in mustFire)
        {
            if (timer.IsArmedFor(dueAt) && !FiresWhenAskedAgain(timer, dueAt, target))
            {
                throw new InvalidOperationException(
                    $"A timer due at {dueAt:O} did not fire when the clock reached {target:O}: AdjustTime moved the clock, " +
                    "and pending timers with it, by an amount the test host cannot see. After AdjustTime, let the pending waits " +
                    "run out with Clock.Advance (the scheduler waits at most MaxTimerWait) and WaitForIdleAsync before advancing " +
                    "through the test host again.");
            }
        }
    }

    /// <summary>
    /// Gives a timer that still looks due one more turn. Another thread may have fired it and re-armed it for this very
    /// time while the clock moved (a zero wait): it then fires now. A timer that AdjustTime moved does not.
    /// </summary>
    private bool FiresWhenAskedAgain(TrackedTimer timer, DateTimeOffset dueAt, DateTimeOffset target)
    {
        SetUtcNow(target);
        return !timer.IsArmedFor(dueAt);
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

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset DueAt { get; private set; }

        public bool IsArmedFor(DateTimeOffset dueAt)
        {
            lock (_gate)
            {
                return _armed && DueAt == dueAt;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                _period = period;
                var arm = dueTime != Timeout.InfiniteTimeSpan;
                if (arm)
                {
                    DueAt = owner.GetUtcNow() + dueTime;
                }

                SetArmedLocked(arm);
            }

            // The inner fake timer may fire at once (due now); Fire takes the lock itself.
            return Inner.Change(dueTime, period);
        }

        public void Fire()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

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
