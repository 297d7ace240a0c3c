namespace JobScheduler.Scheduling;

/// <summary>
/// Due times of every job in one priority queue. An entry whose version no longer matches its job is stale (the job
/// was paused, rescheduled or removed) and is dropped when it reaches the front, which keeps every change O(log n).
/// </summary>
internal sealed class OccurrenceQueue
{
    private readonly PriorityQueue<Entry, DateTimeOffset> _queue = new();

    public int Count => _queue.Count;

    public void EnqueueOccurrence(ScheduledJob job, DateTimeOffset at) => _queue.Enqueue(new Entry(job, job.Version, null), at);

    public void EnqueueOneOff(ScheduledJob job, DateTimeOffset at, Guid sessionId) => _queue.Enqueue(new Entry(job, 0, sessionId), at);

    /// <summary>Returns the earliest live entry's time, dropping stale entries on the way.</summary>
    public DateTimeOffset? PeekTime()
    {
        while (_queue.TryPeek(out var entry, out var at))
        {
            if (entry.IsLive)
            {
                return at;
            }

            _queue.Dequeue();
        }

        return null;
    }

    /// <summary>Removes and returns the earliest live entry if it is due at or before <paramref name="now"/>.</summary>
    public bool TryDequeueDue(DateTimeOffset now, out Entry entry, out DateTimeOffset at)
    {
        if (PeekTime() is { } next && next <= now)
        {
            _queue.TryDequeue(out entry, out at);
            return true;
        }

        entry = default;
        at = default;
        return false;
    }

    /// <summary>A job's next occurrence, or a one-off run when <see cref="OneOffSessionId"/> is set.</summary>
    internal readonly record struct Entry(ScheduledJob Job, int Version, Guid? OneOffSessionId)
    {
        public bool IsLive => !Job.IsRemoved && (OneOffSessionId is not null || Version == Job.Version);
    }
}
