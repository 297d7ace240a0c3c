namespace JobScheduler.Execution;

/// <summary>
/// Lets the fake-clock test host (JobScheduler.Testing) see runs settle. Registered only by that host; production
/// code pays one null check per phase change.
/// </summary>
internal sealed class RunMonitor
{
    // The signal of the next change, created only when someone waits for it: a run changes phase about five times, and
    // under the test host with inline dispatch nobody is waiting for most of them (W5 made a new one for each).
    private TaskCompletionSource? _changed;

    /// <summary>Gets the run whose code is executing on this async flow, so timers it creates can be attributed to it.</summary>
    public static AsyncLocal<JobRun?> CurrentRun { get; } = new();

    /// <summary>Gets a value indicating whether runs start on the thread that fired them instead of the thread pool.</summary>
    public bool InlineDispatch { get; init; }

    /// <summary>Gets a task that completes at the next change of any run. Take it before checking state, then await it.</summary>
    public Task WhenChanged
    {
        get
        {
            var changed = Volatile.Read(ref _changed);
            if (changed is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = Interlocked.CompareExchange(ref _changed, created, null) ?? created;
            }

            return changed.Task;
        }
    }

    // An exchange even when nobody waits: its full fence orders the change's own writes before the read of the signal,
    // so a waiter that took the signal after this read sees the change when it checks state.
    public void NotifyChanged() => Interlocked.Exchange(ref _changed, null)?.TrySetResult();
}
