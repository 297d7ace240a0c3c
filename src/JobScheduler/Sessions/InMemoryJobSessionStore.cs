using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sessions;

/// <summary>
/// The default store: sessions live in process memory, bounded per job, and are lost when the process stops.
/// </summary>
internal sealed class InMemoryJobSessionStore : IJobSessionStore, IJobSessionRetention
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
            // A repeated start (a retried write) is a no-op, and so is a late start of a session that already ended.
            if (log.IndexOf(session.Id) < 0)
            {
                log.Add(new Entry(Interlocked.Increment(ref _sequence), session), _maxSessionsPerJob);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var log = _logs.GetOrAdd(session.JobName, static _ => new JobLog());
        lock (log)
        {
            if (log.TryReplace(session))
            {
                // Running sessions may have held the log above its bound; now that one has ended, restore it.
                log.Bound(_maxSessionsPerJob);
            }
            else
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
                purged += log.RemoveWhere(e => e.Session.EndedAt is { } ended && ended < endedBefore);
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
        // The ids in Entries: a start or end of a session not in the log is answered without scanning it.
        private readonly HashSet<Guid> _ids = [];

        public List<Entry> Entries { get; } = [];

        public void Add(Entry entry, int capacity)
        {
            Entries.Add(entry);
            _ids.Add(entry.Session.Id);
            Bound(capacity);
        }

        public int RemoveWhere(Predicate<Entry> match)
            => Entries.RemoveAll(e => match(e) && _ids.Remove(e.Session.Id));

        /// <summary>Drops the oldest ended sessions until the log is within <paramref name="capacity"/>; running ones stay, whatever the bound.</summary>
        public void Bound(int capacity)
        {
            for (var i = 0; Entries.Count > capacity && i < Entries.Count;)
            {
                if (Entries[i].Session.Status == JobSessionStatus.Running)
                {
                    i++;
                }
                else
                {
                    RemoveAt(i);
                }
            }
        }

        public bool TryReplace(JobSession session)
        {
            var index = IndexOf(session.Id);
            if (index < 0)
            {
                return false;
            }

            Entries[index] = Entries[index] with { Session = session };
            return true;
        }

        public int IndexOf(Guid id)
        {
            if (!_ids.Contains(id))
            {
                return -1;
            }

            // The session looked for is almost always among the newest, so search from the end.
            for (var i = Entries.Count - 1; i >= 0; i--)
            {
                if (Entries[i].Session.Id == id)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Keeps the newest <paramref name="keep"/> ended sessions and every running one.</summary>
        public int Trim(int keep)
        {
            var ended = 0;
            var removed = 0;
            for (var i = Entries.Count - 1; i >= 0; i--)
            {
                if (Entries[i].Session.Status != JobSessionStatus.Running && ++ended > keep)
                {
                    RemoveAt(i);
                    removed++;
                }
            }

            return removed;
        }

        private void RemoveAt(int index)
        {
            _ids.Remove(Entries[index].Session.Id);
            Entries.RemoveAt(index);
        }
    }
}
