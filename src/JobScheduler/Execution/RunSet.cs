namespace JobScheduler.Execution;

/// <summary>
/// A set of runs split into stripes, each under its own lock. Every run is added and removed once, by different threads
/// (the timer adds, a worker removes); with one set under one lock those threads queued on that lock at 10,000 runs a
/// second. A run's stripe comes from its first session id (random), so adding and removing it take the same, rarely
/// shared, lock, and no run needs an identity hash code (generated and stored in the object's header on first use).
/// </summary>
internal sealed class RunSet
{
    private const int StripeCount = 16; // a power of two

    private readonly HashSet<JobRun>[] _stripes = new HashSet<JobRun>[StripeCount];

    public RunSet()
    {
        for (var i = 0; i < StripeCount; i++)
        {
            _stripes[i] = new HashSet<JobRun>(ByReference.Instance);
        }
    }

    public void Add(JobRun run)
    {
        var stripe = StripeOf(run);
        lock (stripe)
        {
            stripe.Add(run);
        }
    }

    public void Remove(JobRun run)
    {
        var stripe = StripeOf(run);
        lock (stripe)
        {
            stripe.Remove(run);
        }
    }

    /// <summary>Returns the runs in the set.</summary>
    public List<JobRun> ToList()
    {
        var runs = new List<JobRun>();
        Visit(stripe => runs.AddRange(stripe));
        return runs;
    }

    /// <summary>Returns a run that matches <paramref name="match"/>, or <see langword="null"/>.</summary>
    public JobRun? Find(Func<JobRun, bool> match)
    {
        JobRun? found = null;
        Visit(stripe =>
        {
            foreach (var run in stripe)
            {
                if (found is null && match(run))
                {
                    found = run;
                }
            }
        });
        return found;
    }

    /// <summary>
    /// Shows every stripe with all of them locked (in order, so never deadlocking with a single-stripe lock): one
    /// consistent view, as one lock gave. The test host needs it: a run that ends starts its queued successor before it
    /// leaves the set, and a stripe-by-stripe look could miss both. Only readers off the hot path use it.
    /// </summary>
    private void Visit(Action<HashSet<JobRun>> visit)
    {
        var locked = 0;
        try
        {
            while (locked < StripeCount)
            {
                Monitor.Enter(_stripes[locked]);
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
                Monitor.Exit(_stripes[locked]);
            }
        }
    }

    private HashSet<JobRun> StripeOf(JobRun run) => _stripes[ByReference.Instance.GetHashCode(run) & (StripeCount - 1)];

    /// <summary>Runs are equal only to themselves; the hash is their first session id's, random and already at hand.</summary>
    private sealed class ByReference : IEqualityComparer<JobRun>
    {
        public static readonly ByReference Instance = new();

        public bool Equals(JobRun? x, JobRun? y) => ReferenceEquals(x, y);

        public int GetHashCode(JobRun obj) => obj.FirstSessionId.GetHashCode();
    }
}
