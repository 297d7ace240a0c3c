namespace JobScheduler.Execution;

/// <summary>
/// Where a shutdown is, for the fake-clock test host: between its waits on the clock (grace period, write flush) the
/// shutdown has work to do, and the clock must not move until it has done it.
/// </summary>
internal sealed class ShutdownProgress(RunMonitor? monitor)
{
    private volatile bool _inProgress;
    private volatile Task? _clockWait;

    /// <summary>Gets a value indicating whether no shutdown is running, or it only waits on a pending clock timer.</summary>
    public bool IsSettled => !_inProgress || _clockWait is { IsCompleted: false };

    public void Begin()
    {
        _inProgress = true;
        monitor?.NotifyChanged();
    }

    public void End()
    {
        _clockWait = null;
        _inProgress = false;
        monitor?.NotifyChanged();
    }

    /// <summary>Marks <paramref name="clockWait"/> as what the shutdown waits on, and returns it to await.</summary>
    public Task WaitingOn(Task clockWait)
    {
        _clockWait = clockWait;
        monitor?.NotifyChanged();
        return clockWait;
    }
}
