using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sessions;

/// <summary>
/// The default store: sessions live in process memory, bounded per job, and are lost when the process stops.
/// </summary>
/// <remarks>
/// Every job's sessions share one set of slots (<see cref="SessionSlots"/>); each job's <see cref="SessionLog"/> holds
/// the positions of its own. One lock guards them all: a write holds it for a few dozen nanoseconds, and a query takes
/// it job by job, so runs never wait on a whole scan. The engine writes an attempt once, when it ends; an attempt still
/// in progress is written as Running by the read that would otherwise miss it (<see cref="OnBeforeRead"/>).
/// </remarks>
internal sealed class InMemoryJobSessionStore : IJobSessionStore, IJobSessionRetention
{
    private readonly ConcurrentDictionary<string, SessionLog> _logs = new(StringComparer.Ordinal);
    private readonly SessionSlots _slots = new();
    private readonly Lock _lock = new();
    private readonly int _maxSessionsPerJob;
    private long _sequence;
    private Action[] _beforeRead = [];

    public InMemoryJobSessionStore(IOptions<InMemorySessionStoreOptions> options)
        => _maxSessionsPerJob = options.Value.MaxSessionsPerJob;

    public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var log = LogOf(session.JobName);
        lock (_lock)
        {
            // A repeated start (a retried write) is a no-op, and so is a late start of a session that already ended.
            if (!log.Contains(session.Id))
            {
                log.Add(++_sequence, session, _maxSessionsPerJob);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        RecordEnd(LogOf(session.JobName), session);
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets how many sessions the shared slots have room for (for tests of the store's memory).</summary>
    internal int SlotCapacity
    {
        get
        {
            lock (_lock)
            {
                return _slots.Capacity;
            }
        }
    }

    /// <summary>Gets whether no session was ever written here, so there is nothing to recover or read at start-up.</summary>
    internal bool IsUnwritten => Interlocked.Read(ref _sequence) == 0;

    /// <summary>Gets a job's log, for a writer that keeps it (the engine keeps one per job) and so looks it up once.</summary>
    internal SessionLog LogOf(string jobName) => _logs.GetOrAdd(jobName, static (name, slots) => new SessionLog(name, slots), _slots);

    /// <summary>
    /// Registers <paramref name="writeDeferredStarts"/>, which an engine that defers its attempts' starts
    /// (<see cref="IDeferredStart"/>) gives so that every read of the store first writes the Running sessions still
    /// owed: a reader sees each attempt in progress, as if its start had been written when it began.
    /// </summary>
    /// <returns>The registration; disposing it removes the callback.</returns>
    internal IDisposable OnBeforeRead(Action writeDeferredStarts)
    {
        lock (_lock)
        {
            Volatile.Write(ref _beforeRead, [.. _beforeRead, writeDeferredStarts]);
        }

        return new BeforeReadRegistration(this, writeDeferredStarts);
    }

    /// <summary>Writes the Running session of <paramref name="attempt"/>, in <paramref name="log"/>, if it is still owed.</summary>
    internal void WriteDeferredStart(SessionLog log, IDeferredStart attempt)
    {
        lock (_lock)
        {
            // Read under the lock: the attempt's end takes it too, so an attempt found Deferred here is still in progress.
            if (attempt.StartState == DeferredStartState.Deferred)
            {
                log.Add(++_sequence, attempt.CurrentStart, _maxSessionsPerJob);
                attempt.StartState = DeferredStartState.Written;
            }
        }
    }

    /// <summary>
    /// Records the ended session of <paramref name="attempt"/> in <paramref name="log"/>, the log of its job: in place of
    /// its Running session if a read wrote one, otherwise as a new session, without searching the log for its id.
    /// </summary>
    /// <remarks>
    /// The search reads the whole log's ids when the id is absent, which it almost always is: at 10,000 jobs with logs at
    /// their default bound that was 1.6 KB of memory no cache holds, on every run.
    /// </remarks>
    internal void RecordEnd(SessionLog log, JobSession session, IDeferredStart attempt)
    {
        log.Prefetch();
        lock (_lock)
        {
            if (attempt.StartState == DeferredStartState.Written && log.TryReplace(session))
            {
                log.Bound(_maxSessionsPerJob); // the Running session may have held the log above its bound
            }
            else
            {
                log.Add(++_sequence, session, _maxSessionsPerJob);
            }

            attempt.StartState = DeferredStartState.Ended;
        }
    }

    /// <summary>Records the end of a session in <paramref name="log"/>, which must be the log of its job.</summary>
    internal void RecordEnd(SessionLog log, JobSession session)
    {
        log.Prefetch();
        lock (_lock)
        {
            if (!log.TryReplace(session))
            {
                log.Add(++_sequence, session, _maxSessionsPerJob);
            }
            else
            {
                // Running sessions may have held the log above its bound; now that one has ended, restore it.
                log.Bound(_maxSessionsPerJob);
            }
        }
    }

    public ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, nameof(query.Limit));
        WriteDeferredStarts();

        var newest = new NewestSessions(query.Limit);
        if (query.JobName is not null)
        {
            if (_logs.TryGetValue(query.JobName, out var log))
            {
                Collect(log, query, newest);
            }
        }
        else
        {
            foreach (var log in _logs.Values)
            {
                Collect(log, query, newest);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<JobSession>>(newest.ToArray());
    }

    public ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        WriteDeferredStarts();
        var purged = 0;
        foreach (var log in _logs.Values)
        {
            lock (_lock)
            {
                purged += log.RemoveWhere((in StoredSession s) => s.EndedAt is { } ended && ended < endedBefore);
            }
        }

        return ValueTask.FromResult(purged);
    }

    public ValueTask<int> TrimAsync(int maxSessionsPerJob, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSessionsPerJob);
        WriteDeferredStarts();
        var trimmed = 0;
        foreach (var log in _logs.Values)
        {
            lock (_lock)
            {
                trimmed += log.Trim(maxSessionsPerJob);
            }
        }

        return ValueTask.FromResult(trimmed);
    }

    private void WriteDeferredStarts()
    {
        foreach (var write in Volatile.Read(ref _beforeRead))
        {
            write();
        }
    }

    private void Collect(SessionLog log, JobSessionQuery query, NewestSessions newest)
    {
        lock (_lock)
        {
            for (var i = 0; i < log.Count; i++)
            {
                ref readonly var session = ref log[i];
                if ((query.Status is null || session.Status == query.Status)
                    && (query.Since is null || session.StartedAt >= query.Since))
                {
                    newest.Offer(log, i);
                }
            }
        }
    }

    private sealed class BeforeReadRegistration(InMemoryJobSessionStore store, Action callback) : IDisposable
    {
        public void Dispose()
        {
            lock (store._lock)
            {
                Volatile.Write(ref store._beforeRead, [.. store._beforeRead.Where(c => c != callback)]);
            }
        }
    }
}
