using JobScheduler.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Tests.Scheduling;

/// <summary>
/// The real clock's wake-ups: armed one timer step early, the rest spun, never past the spin budget, never for a fake
/// clock. The budget tests use a fake clock that moves 1 ms each time it is read, so spinning ends deterministically.
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
    public void SpinUntil_ReturnsOnTheFirstReadingAtOrPastTheDueTime()
    {
        var clock = new SteppingClock(Start, TimeSpan.FromMilliseconds(1));
        var wake = new PreciseWake(clock, spins: true);
        var due = Start.AddMilliseconds(3.5);

        wake.SpinUntil(due, () => false);

        Assert.Equal([Start, Start.AddMilliseconds(1), Start.AddMilliseconds(2), Start.AddMilliseconds(3), Start.AddMilliseconds(4)], clock.Readings);
    }

    [Fact]
    public void SpinUntil_StopsWhenTold()
    {
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var wake = new PreciseWake(clock, spins: true);
        var reads = 0;

        wake.SpinUntil(Start.AddHours(1), () => ++reads == 3);

        Assert.Equal(3, reads);
    }

    [Fact]
    public void SpentBudget_FallsBackToReArming_UntilTheNextSecond()
    {
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var wake = new PreciseWake(clock, spins: true);
        Assert.True(wake.ShouldSpin(TimeSpan.FromMilliseconds(2)));

        // 25 ms of spinning within one second is more than the 20 ms budget.
        wake.SpinUntil(clock.GetUtcNow().AddMilliseconds(25), () => false);

        Assert.Equal(TimeSpan.Zero, wake.ArmLead);
        Assert.False(wake.ShouldSpin(TimeSpan.FromMilliseconds(2)));

        clock.AutoAdvanceAmount = TimeSpan.Zero;
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(PreciseWake.Lead, wake.ArmLead);
        Assert.True(wake.ShouldSpin(TimeSpan.FromMilliseconds(2)));
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
