using System.Runtime.CompilerServices;

namespace JobScheduler.Scheduling;

/// <summary>
/// Lands the scheduler's wake-ups on their due time on the real clock. Runtime timers count in steps of
/// the runtime's tick count (4 ms on Linux) and fire up to a step early or late; a run must never start
/// early, and re-arming after an early wake costs up to another step. So the timer is armed one step before the due
/// time, and the last step is waited out on the clock: blocked for the whole milliseconds of it that are safe to block,
/// spun for the rest, within a budget per second, so that many distinct due times cannot turn into a busy core. Off for
/// every other <see cref="TimeProvider"/>: a fake clock does not move while one waits.
/// </summary>
/// <remarks>
/// Blocking is what makes the last step cheap. A blocked wait is woken by the kernel's high-resolution timers, not by the
/// runtime's 4 ms steps: on the test machine it ended 0.1 ms after the time asked at the median and up to ~1.3 ms after
/// it in the tail. Spinning the whole step cost about 4.5 ms of CPU a second at 10,000 jobs due every second, most of
/// JobScheduler's CPU above the floor's in the W2 benchmark (docs/performance.md, thirteenth round).
/// <para>
/// Its methods run once per due time, as the engine's timer callback does, and like it are compiled optimized at their
/// first call: tiered, they would reach their thirtieth call half a minute into a busy process and be compiled again
/// then, beside a burst of runs (docs/performance.md, fourteenth round).
/// </para>
/// </remarks>
/// <param name="time">The scheduler's clock.</param>
/// <param name="spins">Whether to spin at all (tests drive the budget with a clock that advances as it is read).</param>
/// <param name="blocks">Whether to block for the part of the last step that is longer than <see cref="SpinMargin"/>.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The event's wait handle is never asked for, so it holds no kernel object; disposing it while a timer callback waits on it would throw in that callback.")]
internal sealed class PreciseWake(TimeProvider time, bool spins, bool blocks)
{
    /// <summary>One step of the runtime timer queue's clock: how early the timer is armed, and the most that is waited.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMilliseconds(4);

    /// <summary>What is always spun, never blocked: more than a blocked wait overshoots in all but its rarest tails.</summary>
    public static readonly TimeSpan SpinMargin = TimeSpan.FromMilliseconds(1.5);

    // 20 ms of spinning per second of wall time at most (2 % of one core); past it, wake-ups fall back to re-arming.
    private static readonly TimeSpan BudgetPerSecond = TimeSpan.FromMilliseconds(20);

    // The most one wait lasts, by the monotonic clock: a wait is for at most a step, so only a wall clock set back
    // while it waits (NTP, an operator) gets here, and the caller then reads the clock again and re-arms instead.
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    // Never set but by Stop: a blocked wait ends at once when the scheduler stops. Without spinning, so a wait blocks.
    private readonly ManualResetEventSlim _stopping = new(initialState: false, spinCount: 0);
    private long _windowStart;
    private long _spentInWindow;

    /// <summary>Initializes a new instance that waits precisely only on <see cref="TimeProvider.System"/>.</summary>
    public PreciseWake(TimeProvider time)
        : this(time, spins: ReferenceEquals(time, TimeProvider.System), blocks: ReferenceEquals(time, TimeProvider.System))
    {
    }

    /// <summary>Gets how long before a due time to arm the timer.</summary>
    public TimeSpan ArmLead
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get => HasBudget() ? Lead : TimeSpan.Zero;
    }

    /// <summary>Returns whether to wait until a due time <paramref name="remaining"/> away rather than arm the timer again.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool ShouldSpin(TimeSpan remaining) => remaining <= Lead && HasBudget();

    /// <summary>Ends a blocked wait at once, and every later one: the scheduler is stopping.</summary>
    public void Stop() => _stopping.Set();

    /// <summary>
    /// Waits on the clock until <paramref name="due"/>, until <paramref name="stopped"/> says to give up, or for
    /// <see cref="MaxWait"/> at most (the wall clock was set back): the caller checks the clock again either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WaitUntil(DateTimeOffset due, Func<bool> stopped)
    {
        var waitStarted = time.GetTimestamp();
        var now = time.GetUtcNow();
        if (blocks && BlockMilliseconds(due - now) is > 0 and var blockFor)
        {
            _stopping.Wait(blockFor);
            now = time.GetUtcNow();
        }

        var started = time.GetTimestamp();
        var spinner = default(SpinWait);
        while (now < due && !stopped() && time.GetElapsedTime(waitStarted) < MaxWait)
        {
            spinner.SpinOnce(sleep1Threshold: -1); // yields the core to others, never sleeps a whole timer step
            now = time.GetUtcNow();
        }

        // Accounting races between concurrent wake-ups are harmless: the budget is a guard, not an exact limit.
        Interlocked.Add(ref _spentInWindow, time.GetTimestamp() - started);
    }

    /// <summary>
    /// How many whole milliseconds of a wait <paramref name="remaining"/> long are blocked: rounded down, so the block ends
    /// at least <see cref="SpinMargin"/> before the due time, and never more than a step. The rest is spun.
    /// </summary>
    internal static int BlockMilliseconds(TimeSpan remaining)
        => (int)Math.Clamp((remaining - SpinMargin).TotalMilliseconds, 0, Lead.TotalMilliseconds);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
