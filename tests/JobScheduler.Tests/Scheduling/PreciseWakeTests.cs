using JobScheduler.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Tests.Scheduling;

/// <summary>
/// The real clock's wake-ups: armed one timer step early, the rest blocked then spun, never past the spin budget, never
/// for a fake clock. The budget tests use a fake clock that moves 1 ms each time it is read, so spinning ends deterministically.
/// </summary>
public sealed class PreciseWakeTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FakeClock_NeverSpins_AndArmsOnTheDueTime()
    {
        var wake = new PreciseWake(new FakeTimeProvider(Start));

        Assert.Equal(TimeSpan.Zero, wake.ArmLead);
        Assert.False(wake.ShouldSpin(TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void SystemClock_ArmsOneStepEarly_AndSpinsOnlyTheLastStep()
    {
        var wake = new PreciseWake(TimeProvider.System);

        Assert.Equal(PreciseWake.Lead, wake.ArmLead);
        Assert.True(wake.ShouldSpin(PreciseWake.Lead));
        Assert.False(wake.ShouldSpin(PreciseWake.Lead + TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void WaitUntil_ReturnsOnTheFirstReadingAtOrPastTheDueTime()
    {
        var clock = new SteppingClock(Start, TimeSpan.FromMilliseconds(1));
        var wake = new PreciseWake(clock, spins: true, blocks: false);
        var due = Start.AddMilliseconds(3.5);

        wake.WaitUntil(due, () => false);

        Assert.Equal([Start, Start.AddMilliseconds(1), Start.AddMilliseconds(2), Start.AddMilliseconds(3), Start.AddMilliseconds(4)], clock.Readings);
    }

    [Fact]
    public void WaitUntil_StopsWhenTold()
    {
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var wake = new PreciseWake(clock, spins: true, blocks: false);
        var reads = 0;

        wake.WaitUntil(Start.AddHours(1), () => ++reads == 3);

        Assert.Equal(3, reads);
    }

    [Fact]
    public void WaitUntil_OnTheSystemClock_BlocksAndSpins_ButNeverReturnsBeforeTheDueTime()
    {
        var wake = new PreciseWake(TimeProvider.System);

        // Each wait is a whole step, longer than the spin margin, so each blocks first; however far a block overshoots,
        // the spin that follows ends on the clock, so no wait returns before its due time.
        for (var i = 0; i < 3; i++)
        {
            var due = TimeProvider.System.GetUtcNow() + PreciseWake.Lead;
            wake.WaitUntil(due, () => false);
            Assert.True(TimeProvider.System.GetUtcNow() >= due);
        }
    }

    [Theory]
    [InlineData(4.0, 2)] // a whole step: 2.5 ms before the margin, 2 whole ms blocked, 2 ms spun
    [InlineData(3.4, 1)]
    [InlineData(2.4, 0)] // less than a whole millisecond before the margin: all spun
    [InlineData(1.0, 0)]
    [InlineData(-1.0, 0)] // already due
    [InlineData(3_600_000.0, 4)] // never more than a step (a wall clock set back)
    public void BlockMilliseconds_AreTheWholeMillisecondsBeforeTheMargin_AtMostAStep(double remainingMs, int blocked)
    {
        Assert.Equal(blocked, PreciseWake.BlockMilliseconds(TimeSpan.FromMilliseconds(remainingMs)));
    }

    [Fact]
    public void WaitUntil_Blocks_BeforeItSpins()
    {
        // The clock stands still and the wait is told to stop as soon as it spins, so only the block takes time: 2 whole
        // milliseconds of a 4 ms step. Without the block this returns in microseconds (a pause of the machine could only
        // make it pass, never fail).
        var wake = new PreciseWake(new FakeTimeProvider(Start), spins: true, blocks: true);
        wake.WaitUntil(Start, () => true); // already due: nothing blocked, but the method is compiled before it is timed
        var watch = System.Diagnostics.Stopwatch.StartNew();

        wake.WaitUntil(Start + PreciseWake.Lead, () => true);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1), $"returned after {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void SixSteps_SpunOnlyPastTheBlock_StayWithinTheBudget()
    {
        // Spun whole, six 4 ms steps would be 24 ms, past the 20 ms budget; with the block they spin 2 ms each. The clock
        // moves 0.5 ms a read, like a spin, and not while blocked; blocking is off so the test does not wait on the real clock,
        // and the waits start where the block would have ended.
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(0.5) };
        var wake = new PreciseWake(clock, spins: true, blocks: false);
        Assert.True(wake.ShouldSpin(PreciseWake.Lead)); // opens this second's budget window
        var spun = PreciseWake.Lead - TimeSpan.FromMilliseconds(PreciseWake.BlockMilliseconds(PreciseWake.Lead));

        for (var i = 0; i < 6; i++)
        {
            wake.WaitUntil(clock.GetUtcNow() + spun, () => false);
        }

        Assert.True(wake.ShouldSpin(PreciseWake.Lead));
    }

    [Fact]
    public async Task WaitUntil_WhenTheWallClockWasSetBack_GivesUpAfterItsLimit()
    {
        // The wall clock stays an hour before the due time (set back just after the timer woke), while the monotonic
        // clock moves on: the wait must end by itself so the engine can re-arm, not spin for the hour.
        var clock = new SetBackClock(Start);
        var wake = new PreciseWake(clock, spins: true, blocks: true);

        var waited = Task.Run(() => wake.WaitUntil(Start.AddHours(1), () => false));

        await waited.WaitAsync(TimeSpan.FromSeconds(30)); // a guard against a hang, not a timing
        Assert.True(clock.MonotonicReads > 1);
    }

    [Fact]
    public async Task Stop_EndsABlockedWait_AtOnce()
    {
        var wake = new PreciseWake(TimeProvider.System);
        wake.Stop();

        // Without Stop this would block for the hour less the spin margin; with it, the wait ends and the spin gives up.
        var waited = Task.Run(() => wake.WaitUntil(TimeProvider.System.GetUtcNow().AddHours(1), () => true));

        await waited.WaitAsync(TimeSpan.FromSeconds(30)); // a guard against a hang, not a timing
    }

    [Fact]
    public void SpentBudget_FallsBackToReArming_UntilTheNextSecond()
    {
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var wake = new PreciseWake(clock, spins: true, blocks: false);
        Assert.True(wake.ShouldSpin(TimeSpan.FromMilliseconds(2)));

        // 25 ms of spinning within one second is more than the 20 ms budget.
        wake.WaitUntil(clock.GetUtcNow().AddMilliseconds(25), () => false);

        Assert.Equal(TimeSpan.Zero, wake.ArmLead);
        Assert.False(wake.ShouldSpin(TimeSpan.FromMilliseconds(2)));

        clock.AutoAdvanceAmount = TimeSpan.Zero;
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(PreciseWake.Lead, wake.ArmLead);
        Assert.True(wake.ShouldSpin(TimeSpan.FromMilliseconds(2)));
    }

    /// <summary>A wall clock that stands still, and a monotonic clock that moves 10 ms each time it is read.</summary>
    private sealed class SetBackClock(DateTimeOffset wall) : TimeProvider
    {
        private long _timestamp;

        public int MonotonicReads => (int)(Volatile.Read(ref _timestamp) / (TimestampFrequency / 100));

        public override DateTimeOffset GetUtcNow() => wall;

        public override long GetTimestamp() => Interlocked.Add(ref _timestamp, TimestampFrequency / 100);
    }

    /// <summary>A clock that moves one step each time its time is read, and remembers what it said.</summary>
    private sealed class SteppingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public List<DateTimeOffset> Readings { get; } = [];

        public override DateTimeOffset GetUtcNow()
        {
            var now = _now;
            Readings.Add(now);
            _now += step;
            return now;
        }

        public override long GetTimestamp() => 0;
    }
}
