namespace JobScheduler.Scheduling;

/// <summary>
/// Lands the scheduler's wake-ups on their due time on the real clock. Runtime timers count in steps of
/// the runtime's tick count (4 ms on Linux) and fire up to a step early or late; a run must never start
/// early, and re-arming after an early wake costs up to another step. So the timer is armed one step before the due
/// time and the last step is spun on the clock, within a budget per second, so that many distinct due times cannot
/// turn into a busy core. Off for every other <see cref="TimeProvider"/>: a fake clock does not move while one spins.
/// </summary>
/// <param name="time">The scheduler's clock.</param>
/// <param name="spins">Whether to spin at all (tests drive the budget with a clock that advances as it is read).</param>
internal sealed class PreciseWake(TimeProvider time, bool spins)
{
    /// <summary>One step of the runtime timer queue's clock: how early the timer is armed, and the most that is spun.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMilliseconds(4);

    // 20 ms of spinning per second of wall time at most (2 % of one core); past it, wake-ups fall back to re-arming.
    private static readonly TimeSpan BudgetPerSecond = TimeSpan.FromMilliseconds(20);

    private long _windowStart;
    private long _spentInWindow;

    /// <summary>Initializes a new instance that spins only on <see cref="TimeProvider.System"/>.</summary>
    public PreciseWake(TimeProvider time)
        : this(time, ReferenceEquals(time, TimeProvider.System))
    {
    }

    /// <summary>Gets how long before a due time to arm the timer.</summary>
    public TimeSpan ArmLead => HasBudget() ? Lead : TimeSpan.Zero;

    /// <summary>Returns whether to spin until a due time <paramref name="remaining"/> away rather than arm the timer again.</summary>
    public bool ShouldSpin(TimeSpan remaining) => remaining <= Lead && HasBudget();

    /// <summary>Waits on the clock until <paramref name="due"/>, or until <paramref name="stopped"/> says to give up.</summary>
    public void SpinUntil(DateTimeOffset due, Func<bool> stopped)
    {
        var started = time.GetTimestamp();
        var spinner = default(SpinWait);
        while (time.GetUtcNow() < due && !stopped())
        {
            spinner.SpinOnce(sleep1Threshold: -1); // yields the core to others, never sleeps a whole timer step
        }

        // Accounting races between concurrent wake-ups are harmless: the budget is a guard, not an exact limit.
        Interlocked.Add(ref _spentInWindow, time.GetTimestamp() - started);
    }

    private bool HasBudget()
    {
        if (!spins)
        {
            return false;
        }

        var now = time.GetTimestamp();
        if (time.GetElapsedTime(Volatile.Read(ref _windowStart), now) >= TimeSpan.FromSeconds(1))
        {
            Volatile.Write(ref _windowStart, now);
            Volatile.Write(ref _spentInWindow, 0);
        }

        return Volatile.Read(ref _spentInWindow) < BudgetPerSecond.Ticks * time.TimestampFrequency / TimeSpan.TicksPerSecond;
    }
}
