namespace JobScheduler.Testing.Tests;

/// <summary>The clock behind the test host: a FakeTimeProvider that knows when its next timer is due.</summary>
public sealed class TrackingFakeTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TrackingFakeTimeProvider CreateSut() => new(Start);

    [Fact]
    public void NextTimerDue_WithoutTimers_IsNull() => Assert.Null(CreateSut().NextTimerDue);

    [Fact]
    public void NextTimerDue_IsTheEarliestArmedTimer()
    {
        var clock = CreateSut();
        using var late = clock.CreateTimer(_ => { }, null, TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(90), Timeout.InfiniteTimeSpan);
        using var unarmed = clock.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        Assert.Equal(Start.AddSeconds(90), clock.NextTimerDue);
    }

    [Fact]
    public void OneShotTimer_FiresAtItsDueTime_ThenIsNoLongerDue()
    {
        var clock = CreateSut();
        var firedAt = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => firedAt.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        clock.SetUtcNow(Start.AddSeconds(4));
        Assert.Empty(firedAt);
        clock.SetUtcNow(Start.AddSeconds(5));

        Assert.Equal([Start.AddSeconds(5)], firedAt);
        Assert.Null(clock.NextTimerDue);
    }

    [Fact]
    public void PeriodicTimer_AfterFiring_IsDueOnePeriodLater()
    {
        var clock = CreateSut();
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        clock.SetUtcNow(Start.AddSeconds(1));
        Assert.Equal(Start.AddSeconds(11), clock.NextTimerDue);
        clock.SetUtcNow(Start.AddSeconds(11));

        Assert.Equal(2, fired);
        Assert.Equal(Start.AddSeconds(21), clock.NextTimerDue);
    }

    [Fact]
    public void Change_ToInfinite_DisarmsTheTimer()
    {
        var clock = CreateSut();
        using var timer = clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));

        Assert.Null(clock.NextTimerDue);
    }

    [Fact]
    public void Change_RearmsRelativeToNow()
    {
        var clock = CreateSut();
        using var timer = clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        clock.SetUtcNow(Start.AddSeconds(2));

        timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        Assert.Equal(Start.AddSeconds(12), clock.NextTimerDue);
    }

    [Fact]
    public void Dispose_DisarmsTheTimer_AndLaterChangesAreRefused()
    {
        var clock = CreateSut();
        var fired = false;
        var timer = clock.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        timer.Dispose();
        clock.SetUtcNow(Start.AddMinutes(1));

        Assert.Null(clock.NextTimerDue);
        Assert.False(fired);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void ZeroDueTime_FiresAtOnceAndIsNotLeftArmed()
    {
        var clock = CreateSut();
        var fired = 0;

        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        Assert.Equal(1, fired);
        Assert.Null(clock.NextTimerDue);
    }

    [Fact]
    public async Task TaskDelay_OnTheClock_IsTracked()
    {
        var clock = CreateSut();

        var delay = Task.Delay(TimeSpan.FromMinutes(3), clock);

        Assert.Equal(Start.AddMinutes(3), clock.NextTimerDue);
        clock.SetUtcNow(Start.AddMinutes(3));
        await delay;
        Assert.Null(clock.NextTimerDue);
    }

    [Fact]
    public void StepTo_FiresEverythingDueByThen_AndStopsThere()
    {
        var clock = CreateSut();
        var fired = new List<string>();
        using var a = clock.CreateTimer(_ => fired.Add("a"), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        using var b = clock.CreateTimer(_ => fired.Add("b"), null, TimeSpan.FromSeconds(9), Timeout.InfiniteTimeSpan);

        clock.StepTo(Start.AddSeconds(5));

        Assert.Equal(["a"], fired);
        Assert.Equal(Start.AddSeconds(5), clock.GetUtcNow());
        Assert.Equal(Start.AddSeconds(9), clock.NextTimerDue);
    }

    [Fact]
    public void StepTo_PastTime_NeverMovesTheClockBack()
    {
        var clock = CreateSut();
        clock.SetUtcNow(Start.AddMinutes(1));

        clock.StepTo(Start);

        Assert.Equal(Start.AddMinutes(1), clock.GetUtcNow());
    }

    [Fact]
    public void StepTo_TimerShiftedByAdjustTime_ThrowsNamingAdjustTime()
    {
        var clock = CreateSut();
        using var timer = clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        clock.AdjustTime(Start.AddSeconds(5)); // the timer now fires at +15 s; its tracked due time still says +10 s

        var exception = Assert.Throws<InvalidOperationException>(() => clock.StepTo(Start.AddSeconds(10)));

        Assert.Contains("AdjustTime", exception.Message);
    }
}
