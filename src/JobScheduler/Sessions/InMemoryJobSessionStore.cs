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
                log.Add(new Entry(Interlocked.Increment(ref _sequence), session.Id, session), _maxSessionsPerJob);
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
                log.Add(new Entry(Interlocked.Increment(ref _sequence), session.Id, session), _maxSessionsPerJob);
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

    /// <summary>A session in a job's log; its id is kept inline so finding one reads only the entries array.</summary>
    private readonly record struct Entry(long Sequence, Guid Id, JobSession Session);

    /// <summary>One job's sessions in insertion order; callers lock it.</summary>
    private sealed class JobLog
    {
        // Up to this many entries, finding an id scans the entries newest first: cheaper than a hash set, and no
        // allocation (a set per job, grown with its log, was a sixth of the bytes allocated per run in a 10,000-job
        // benchmark). Only logs allowed to grow past it get the set.
        private const int ScanLimit = 128;

        // The ids in Entries once the log outgrew ScanLimit: a start or end of a session not in the log is then
        // answered without scanning it.
        private HashSet<Guid>? _ids;

        public List<Entry> Entries { get; } = [];

        public void Add(Entry entry, int capacity)
        {
            Entries.Add(entry);
            if (_ids is not null)
            {
                _ids.Add(entry.Id);
            }
            else if (Entries.Count > ScanLimit)
            {
                _ids = [.. Entries.Select(static e => e.Id)];
            }

            Bound(capacity);
        }

        public int RemoveWhere(Predicate<Entry> match)
            => Entries.RemoveAll(e => match(e) && (_ids?.Remove(e.Id) ?? true));

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
            if (_ids is not null && !_ids.Contains(id))
            {
                return -1;
            }

            // The session looked for is almost always among the newest, so search from the end.
            for (var i = Entries.Count - 1; i >= 0; i--)
            {
                if (Entries[i].Id == id)
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
            _ids?.Remove(Entries[index].Id);
            Entries.RemoveAt(index);
        }
    }
}
