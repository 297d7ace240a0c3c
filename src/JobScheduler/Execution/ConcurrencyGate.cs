namespace JobScheduler.Execution;

/// <summary>
/// The global <see cref="JobSchedulerOptions.MaxConcurrentRuns"/> limit. Waiters are served in arrival order, and a
/// released slot is handed straight to the next waiter, so no run starves and a waiter's phase changes the moment it
/// is granted.
/// </summary>
/// <remarks>
/// Entering and leaving while slots are free is one interlocked operation each, without the lock: every run passes
/// here twice, and at 10,000 runs a second a lock taken by every worker was contended. The lock only orders waiters.
/// </remarks>
internal sealed class ConcurrencyGate(int capacity)
{
    private readonly Queue<Waiter> _waiters = new();

    // Free slots minus runs counted as waiting (queued, or about to queue). Positive: that many free and nobody waiting,
    // so a newcomer may take one without overtaking a waiter.
    private int _count = capacity;

    // Slots released for a waiter that had counted itself but not reached the queue yet (guarded by the lock).
    private int _handoffs;

    /// <summary>Takes a slot without waiting when one is free and nobody is queued.</summary>
    public bool TryEnter()
    {
        var count = Volatile.Read(ref _count);
        while (count > 0)
        {
            var seen = Interlocked.CompareExchange(ref _count, count - 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>Waits for a slot; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.</summary>
    public async Task EnterAsync(JobRun run, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _count) >= 0)
        {
            return; // a slot was free after all
        }

        // Counted as waiting from here: a release now owes this run its slot, through the queue or a handoff.
        var waiter = new Waiter(run);
        lock (_waiters)
        {
            if (_handoffs > 0)
            {
                _handoffs--;
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
        if (Interlocked.Increment(ref _count) > 0)
        {
            return; // nobody waits: the slot is free
        }

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

                // A cancelled waiter no longer waits: uncount it. If that leaves a slot free, nobody else is owed it.
                if (Interlocked.Increment(ref _count) > 0)
                {
                    return;
                }
            }

            if (next is null)
            {
                // Someone counted itself as waiting but has not queued yet: it takes the slot when it gets the lock.
                _handoffs++;
                return;
            }
        }

        next.Run.Phase = RunPhase.Executing;
        next.TrySetResult();
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
