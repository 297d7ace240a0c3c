namespace JobScheduler.Execution;

/// <summary>
/// The runs in progress, split into stripes, each under its own lock. Every run is added and removed once, by different
/// threads (the timer adds, a worker removes); with one set under one lock those threads queued on that lock at 10,000
/// runs a second.
/// </summary>
/// <remarks>
/// <para>
/// A stripe is an array of slots with a stack of the free ones, and a run keeps its stripe and slot
/// (<see cref="JobRun.SetSlot"/>): adding and removing touch that slot and the top of the stack, nothing else. A hash
/// set did the same job with a random bucket and entry per run, memory no cache held at 10,000 runs a second: removing
/// runs from it was most of <see cref="RunDispatcher.Complete"/>'s own time in the W2 profile (docs/performance.md,
/// eleventh round).
/// </para>
/// <para>
/// Runs added one after the other go to the same stripe, <see cref="RunsPerStripe"/> at a time, then to the next: the
/// workers remove runs in about the order the timer added them, so a worker is mostly in a stripe the timer has left,
/// and consecutive removals touch neighbouring slots. A slot freed last is taken first, so one second's runs reuse the
/// slots the previous second's runs left.
/// </para>
/// </remarks>
internal sealed class RunSet
{
    private const int StripeBits = 4;
    private const int StripeCount = 1 << StripeBits;
    private const int RunsPerStripe = 64;

    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private uint _added; // only picks the stripe: an increment lost to a race moves nothing but that choice

    public RunSet()
    {
        for (var i = 0; i < StripeCount; i++)
        {
            _stripes[i] = new Stripe();
        }
    }

    public void Add(JobRun run)
    {
        var index = (int)(_added++ / RunsPerStripe % StripeCount);
        var stripe = _stripes[index];
        lock (stripe.Lock)
        {
            run.SetSlot = (stripe.Add(run) << StripeBits) | index;
        }
    }

    public void Remove(JobRun run)
    {
        if (run.SetSlot < 0)
        {
            return; // never added
        }

        var stripe = _stripes[run.SetSlot & (StripeCount - 1)];
        lock (stripe.Lock)
        {
            stripe.Remove(run, run.SetSlot >> StripeBits);
        }
    }

    /// <summary>Returns the runs in the set.</summary>
    public List<JobRun> ToList()
    {
        var runs = new List<JobRun>();
        Visit(stripe => stripe.CopyTo(runs));
        return runs;
    }

    /// <summary>Returns a run that matches <paramref name="match"/>, or <see langword="null"/>.</summary>
    public JobRun? Find(Func<JobRun, bool> match)
    {
        JobRun? found = null;
        Visit(stripe => found ??= stripe.Find(match));
        return found;
    }

    /// <summary>
    /// Shows every stripe with all of them locked (in order, so never deadlocking with a single-stripe lock): one
    /// consistent view, as one lock gave. The test host needs it: a run that ends starts its queued successor before it
    /// leaves the set, and a stripe-by-stripe look could miss both. Only readers off the hot path use it.
    /// </summary>
    private void Visit(Action<Stripe> visit)
    {
        var locked = 0;
        try
        {
            while (locked < StripeCount)
            {
                _stripes[locked].Lock.Enter();
                locked++;
            }

            foreach (var stripe in _stripes)
            {
                visit(stripe);
            }
        }
        finally
        {
            while (locked > 0)
            {
                locked--;
                _stripes[locked].Lock.Exit();
            }
        }
    }

    /// <summary>Slots for runs and a stack of the free ones. Callers hold <see cref="Lock"/>.</summary>
    private sealed class Stripe
    {
        public readonly Lock Lock = new();

        private JobRun?[] _slots = new JobRun?[16];
        private int[] _free = new int[16];
        private int _freeCount;
        private int _used; // slots ever handed out; those below it and not on the stack hold a run

        public int Add(JobRun run)
        {
            int slot;
            if (_freeCount > 0)
            {
                slot = _free[--_freeCount];
            }
            else
            {
                if (_used == _slots.Length)
                {
                    Array.Resize(ref _slots, _slots.Length * 2);
                    Array.Resize(ref _free, _slots.Length);
                }

                slot = _used++;
            }

            _slots[slot] = run;
            return slot;
        }

        public void Remove(JobRun run, int slot)
        {
            if ((uint)slot >= (uint)_used || !ReferenceEquals(_slots[slot], run))
            {
                return; // not in the set (removed already, or never added): as a set's Remove, nothing happens
            }

            _slots[slot] = null;
            _free[_freeCount++] = slot;
        }

        public void CopyTo(List<JobRun> runs)
        {
            for (var i = 0; i < _used; i++)
            {
                if (_slots[i] is { } run)
                {
                    runs.Add(run);
                }
            }
        }

        public JobRun? Find(Func<JobRun, bool> match)
        {
            for (var i = 0; i < _used; i++)
            {
                if (_slots[i] is { } run && match(run))
                {
                    return run;
                }
            }

            return null;
        }
    }
}
