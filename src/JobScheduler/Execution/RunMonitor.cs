namespace JobScheduler.Execution;

/// <summary>
/// Lets the fake-clock test host (JobScheduler.Testing) see runs settle. Registered only by that host; production
/// code pays one null check per phase change.
/// </summary>
internal sealed class RunMonitor
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the run whose code is executing on this async flow, so timers it creates can be attributed to it.</summary>
    public static AsyncLocal<JobRun?> CurrentRun { get; } = new();

    /// <summary>Gets a value indicating whether runs start on the thread that fired them instead of the thread pool.</summary>
    public bool InlineDispatch { get; init; }

    /// <summary>Gets a task that completes at the next change of any run.</summary>
    public Task WhenChanged => Volatile.Read(ref _changed).Task;

    public void NotifyChanged()
        => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
