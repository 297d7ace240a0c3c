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

    [Fact]
    public async Task StepTo_TimerNotFiredWhileACallbackBlocksAnotherThread_ThrowsNamingTheBlockedCallback()
    {
        var clock = new TrackingFakeTimeProvider(Start) { GiveUpAfter = TimeSpan.FromMilliseconds(200) };
        using var timer = clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        clock.AdjustTime(Start.AddSeconds(5)); // the timer will not fire at its tracked time
        using var release = new ManualResetEventSlim();
        using var blocking = new ManualResetEventSlim();
        var blocker = Task.Factory.StartNew(
            () =>
            {
                // Due at once: the callback runs inside this thread's own timer call and blocks it there.
                using var due = clock.CreateTimer(_ => { blocking.Set(); release.Wait(); }, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            },
            TaskCreationOptions.LongRunning);
        Assert.True(blocking.Wait(TimeSpan.FromSeconds(30)));

        try
        {
            var exception = Assert.Throws<InvalidOperationException>(() => clock.StepTo(Start.AddSeconds(10)));

            Assert.Contains("blocks its thread", exception.Message);
        }
        finally
        {
            release.Set();
            await blocker;
        }
    }

    [Fact]
    public async Task StepTo_WhileOtherThreadsArmTimers_FiresEveryTimerAtItsTrackedDueTime()
    {
        // The scheduler arms timers on thread-pool threads while the test host steps the clock. A thread preempted
        // between reading the clock and arming the inner fake timer must still leave the timer due when the clock says
        // it is, or StepTo blames AdjustTime. More threads than cores make that preemption likely. Like the scheduler's
        // loop, each thread keeps one timer armed and arms the next once it fired, so the work is bounded.
        const int TimersPerThread = 5_000;
        var clock = CreateSut();
        using var stop = new CancellationTokenSource();
        var armers = Enumerable.Range(0, Environment.ProcessorCount + 2).Select(_ => Task.Factory.StartNew(() =>
        {
            using var fired = new SemaphoreSlim(0);
            for (var armed = 0; armed < TimersPerThread; armed++)
            {
                using var timer = clock.CreateTimer(_ => fired.Release(), null, TimeSpan.FromMilliseconds(1 + (armed % 3)), Timeout.InfiniteTimeSpan);
                fired.Wait(stop.Token);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        try
        {
            var deadline = Task.Delay(TimeSpan.FromMinutes(2)); // a guard only: the clock under test is the fake one
            while (!armers.All(a => a.IsCompleted) && !deadline.IsCompleted)
            {
                clock.StepTo(clock.NextTimerDue ?? clock.GetUtcNow());
                Thread.Yield();
            }
        }
        finally
        {
            await stop.CancelAsync();
        }

        await Task.WhenAll(armers); // throws if a thread was still waiting for a timer that never fired
    }
}
