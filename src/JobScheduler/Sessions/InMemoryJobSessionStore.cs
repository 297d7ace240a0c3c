using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sessions;

/// <summary>
/// The default store: sessions live in process memory, bounded per job, and are lost when the process stops.
/// </summary>
/// <remarks>
/// Every job's sessions share one set of slots (<see cref="SessionSlots"/>); each job's <see cref="SessionLog"/> holds
/// the positions of its own. One lock guards them all: a write holds it for a few dozen nanoseconds, and a query takes
/// it job by job, so runs never wait on a whole scan.
/// </remarks>
internal sealed class InMemoryJobSessionStore : IJobSessionStore, IJobSessionRetention
{
    private readonly ConcurrentDictionary<string, SessionLog> _logs = new(StringComparer.Ordinal);
    private readonly SessionSlots _slots = new();
    private readonly Lock _lock = new();
    private readonly int _maxSessionsPerJob;
    private long _sequence;

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

    /// <summary>Gets a job's log, for a writer that keeps it (the engine keeps one per job) and so looks it up once.</summary>
    internal SessionLog LogOf(string jobName) => _logs.GetOrAdd(jobName, static (name, slots) => new SessionLog(name, slots), _slots);

    /// <summary>
    /// Records the start of a session its caller has just created, so no earlier write of it can exist: unlike
    /// <see cref="RecordStartAsync"/>, it does not search the log for the id.
    /// </summary>
    /// <remarks>
    /// The search reads the whole log's ids when the id is absent, which it always is for a new session: at 10,000 jobs
    /// with logs at their default bound that was 1.6 KB of memory no cache holds, on every run.
    /// </remarks>
    internal void RecordNewStart(SessionLog log, in AttemptStart start)
    {
        log.Prefetch();
        lock (_lock)
        {
            log.Add(++_sequence, start, _maxSessionsPerJob);
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
}
