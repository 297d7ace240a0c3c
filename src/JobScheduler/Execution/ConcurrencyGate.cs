namespace JobScheduler.Execution;

/// <summary>
/// The global <see cref="JobSchedulerOptions.MaxConcurrentRuns"/> limit. Waiters are served in arrival order, and a
/// released slot is handed straight to the next waiter, so no run starves and a waiter's phase changes the moment it
/// is granted.
/// </summary>
internal sealed class ConcurrencyGate(int capacity)
{
    private readonly Queue<Waiter> _waiters = new();
    private int _available = capacity;

    /// <summary>Takes a slot without waiting when one is free and nobody is queued.</summary>
    public bool TryEnter()
    {
        lock (_waiters)
        {
            if (_available > 0 && _waiters.Count == 0)
            {
                _available--;
                return true;
            }
        }

        return false;
    }

    /// <summary>Waits for a slot; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.</summary>
    public async Task EnterAsync(JobRun run, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(run);
        lock (_waiters)
        {
            if (_available > 0 && _waiters.Count == 0)
            {
                _available--;
                return;
            }

            run.Phase = RunPhase.WaitingForSlot;
            _waiters.Enqueue(waiter);
        }

        using (cancellationToken.UnsafeRegister(static s => ((Waiter)s!).TryCancel(), waiter))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    public void Release()
    {
        Waiter? next = null;
        lock (_waiters)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TryClaim())
                {
                    next = waiter;
                    break;
                }
            }

            if (next is null)
            {
                _available++;
            }
        }

        if (next is not null)
        {
            next.Run.Phase = RunPhase.Executing;
            next.TrySetResult();
        }
    }

    private sealed class Waiter(JobRun run) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private const int Waiting = 0, Granted = 1, Cancelled = 2;
        private int _state;

        public JobRun Run => run;

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Granted, Waiting) == Waiting;

        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting)
            {
                // Like a grant: the run is no longer parked and will record itself Cancelled, so it is not settled.
                run.Phase = RunPhase.Executing;
                TrySetCanceled();
            }
        }
    }
}
