using JobScheduler.Execution;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// The test host's change signal: a task taken before a change completes at that change, and one taken after it waits
/// for the next, whether or not anyone was waiting when the earlier change happened.
/// </summary>
public sealed class RunMonitorTests
{
    [Fact]
    public void ASignalTakenBeforeAChange_CompletesAtIt()
    {
        var monitor = new RunMonitor();
        var first = monitor.WhenChanged;
        var second = monitor.WhenChanged;

        Assert.False(first.IsCompleted);
        Assert.Same(first, second); // every waiter of one change shares its signal

        monitor.NotifyChanged();

        Assert.True(first.IsCompletedSuccessfully);
    }

    [Fact]
    public void ASignalTakenAfterAChange_WaitsForTheNextOne()
    {
        var monitor = new RunMonitor();
        var before = monitor.WhenChanged;
        monitor.NotifyChanged();

        var after = monitor.WhenChanged;

        Assert.True(before.IsCompleted);
        Assert.False(after.IsCompleted);
        monitor.NotifyChanged();
        Assert.True(after.IsCompletedSuccessfully);
    }

    [Fact]
    public void ChangesNobodyWaitsFor_DoNotCompleteALaterSignal()
    {
        var monitor = new RunMonitor();
        monitor.NotifyChanged();
        monitor.NotifyChanged();

        var later = monitor.WhenChanged;

        Assert.False(later.IsCompleted);
    }
}
