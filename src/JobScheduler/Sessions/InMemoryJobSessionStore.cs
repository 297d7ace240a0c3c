using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sessions;

/// <summary>
/// The default store: sessions live in process memory, bounded per job, and are lost when the process stops.
/// </summary>
internal sealed class InMemoryJobSessionStore : IJobSessionStore, IJobSessionRetention
{
    private readonly ConcurrentDictionary<string, SessionLog> _logs = new(StringComparer.Ordinal);
    private readonly int _maxSessionsPerJob;
    private long _sequence;

    public InMemoryJobSessionStore(IOptions<InMemorySessionStoreOptions> options)
        => _maxSessionsPerJob = options.Value.MaxSessionsPerJob;

    public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var log = _logs.GetOrAdd(session.JobName, static name => new SessionLog(name));
        lock (log)
        {
            // A repeated start (a retried write) is a no-op, and so is a late start of a session that already ended.
            if (!log.Contains(session.Id))
            {
                log.Add(Interlocked.Increment(ref _sequence), session, _maxSessionsPerJob);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var log = _logs.GetOrAdd(session.JobName, static name => new SessionLog(name));
        lock (log)
        {
            if (!log.TryReplace(session))
            {
                log.Add(Interlocked.Increment(ref _sequence), session, _maxSessionsPerJob);
            }
            else
            {
                // Running sessions may have held the log above its bound; now that one has ended, restore it.
                log.Bound(_maxSessionsPerJob);
            }
        }

        return ValueTask.CompletedTask;
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
            lock (log)
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
            lock (log)
            {
                trimmed += log.Trim(maxSessionsPerJob);
            }
        }

        return ValueTask.FromResult(trimmed);
    }

    private static void Collect(SessionLog log, JobSessionQuery query, NewestSessions newest)
    {
        lock (log)
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
