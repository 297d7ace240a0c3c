using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sessions;

/// <summary>
/// The default store: sessions live in process memory, bounded per job, and are lost when the process stops.
/// </summary>
internal sealed class InMemoryJobSessionStore : IJobSessionStore
{
    private readonly ConcurrentDictionary<string, JobLog> _logs = new(StringComparer.Ordinal);
    private readonly int _maxSessionsPerJob;
    private long _sequence;

    public InMemoryJobSessionStore(IOptions<InMemorySessionStoreOptions> options)
        => _maxSessionsPerJob = options.Value.MaxSessionsPerJob;

    public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var log = _logs.GetOrAdd(session.JobName, static _ => new JobLog());
        lock (log)
        {
            log.Add(new Entry(Interlocked.Increment(ref _sequence), session), _maxSessionsPerJob);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var log = _logs.GetOrAdd(session.JobName, static _ => new JobLog());
        lock (log)
        {
            if (!log.TryReplace(session))
            {
                log.Add(new Entry(Interlocked.Increment(ref _sequence), session), _maxSessionsPerJob);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, nameof(query.Limit));

        var matches = new List<Entry>();
        if (query.JobName is not null)
        {
            if (_logs.TryGetValue(query.JobName, out var log))
            {
                Collect(log, query, matches);
            }
        }
        else
        {
            foreach (var log in _logs.Values)
            {
                Collect(log, query, matches);
            }
        }

        matches.Sort(static (a, b) =>
        {
            var byStart = b.Session.StartedAt.CompareTo(a.Session.StartedAt);
            return byStart != 0 ? byStart : b.Sequence.CompareTo(a.Sequence);
        });

        var count = Math.Min(query.Limit, matches.Count);
        var result = new JobSession[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = matches[i].Session;
        }

        return ValueTask.FromResult<IReadOnlyList<JobSession>>(result);
    }

    public ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        var purged = 0;
        foreach (var log in _logs.Values)
        {
            lock (log)
            {
                purged += log.Entries.RemoveAll(e => e.Session.EndedAt is { } ended && ended < endedBefore);
            }
        }

        return ValueTask.FromResult(purged);
    }

    private static void Collect(JobLog log, JobSessionQuery query, List<Entry> matches)
    {
        lock (log)
        {
            foreach (var entry in log.Entries)
            {
                var session = entry.Session;
                if ((query.Status is null || session.Status == query.Status)
                    && (query.Since is null || session.StartedAt >= query.Since))
                {
                    matches.Add(entry);
                }
            }
        }
    }

    private readonly record struct Entry(long Sequence, JobSession Session);

    /// <summary>One job's sessions in insertion order; callers lock it.</summary>
    private sealed class JobLog
    {
        public List<Entry> Entries { get; } = [];

        public void Add(Entry entry, int capacity)
        {
            Entries.Add(entry);
            if (Entries.Count <= capacity)
            {
                return;
            }

            // Drop the oldest ended session; a running one stays until it ends, whatever the bound.
            var oldestEnded = Entries.FindIndex(e => e.Session.Status != JobSessionStatus.Running);
            if (oldestEnded >= 0)
            {
                Entries.RemoveAt(oldestEnded);
            }
        }

        public bool TryReplace(JobSession session)
        {
            // The session being ended is almost always among the newest, so search from the end.
            for (var i = Entries.Count - 1; i >= 0; i--)
            {
                if (Entries[i].Session.Id == session.Id)
                {
                    Entries[i] = Entries[i] with { Session = session };
                    return true;
                }
            }

            return false;
        }
    }
}
