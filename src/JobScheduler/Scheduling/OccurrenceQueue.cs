using System.Runtime.CompilerServices;

namespace JobScheduler.Scheduling;

/// <summary>
/// Due times of every job, earliest first. An entry whose version no longer matches its job is stale (the job was
/// paused, rescheduled or removed) and is dropped when it reaches the front, which keeps every change cheap.
/// </summary>
/// <remarks>
/// Entries due at the same instant share a <see cref="Bucket"/>, kept in arrival order, and only buckets go through the
/// priority queue. Jobs on one schedule fire together and are queued again together for the same next instant, so at
/// 10,000 jobs due each second the timer thread, the one serial part of a burst, does one heap operation per second
/// instead of two per job (sifting a job's entry through 14 levels of a 10,000-entry heap, at a cache miss a level).
/// </remarks>
internal sealed class OccurrenceQueue
{
    // Enough for the buckets a timer wake-up empties and refills; more are left to the collector.
    private const int MaxFreeBuckets = 16;

    private readonly PriorityQueue<Bucket, long> _buckets = new();
    private readonly Stack<Bucket> _free = new();
    private Bucket? _newest; // the bucket created last, where the next occurrences of jobs that fired together go
    private int _count;

    /// <summary>Gets the number of entries, stale ones included.</summary>
    public int Count => _count;

    public void EnqueueOccurrence(ScheduledJob job, DateTimeOffset at) => Enqueue(new Entry(job, job.Version, null), at);

    public void EnqueueOneOff(ScheduledJob job, DateTimeOffset at, Guid sessionId) => Enqueue(new Entry(job, 0, sessionId), at);

    /// <summary>Returns the earliest live entry's time, dropping stale entries on the way.</summary>
    public DateTimeOffset? PeekTime()
    {
        while (_buckets.TryPeek(out var bucket, out _))
        {
            while (bucket.Items.TryPeek(out var item))
            {
                if (item.Entry.IsLive)
                {
                    return item.At;
                }

                bucket.Items.Dequeue();
                _count--;
            }

            Release(bucket);
        }

        return null;
    }

    /// <summary>Removes and returns the earliest live entry if it is due at or before <paramref name="now"/>.</summary>
    public bool TryDequeueDue(DateTimeOffset now, out Entry entry, out DateTimeOffset at)
    {
        if (PeekTime() is { } next && next <= now)
        {
            var bucket = _buckets.Peek();
            (entry, at) = bucket.Items.Dequeue();
            _count--;
            if (bucket.Items.Count == 0)
            {
                Release(bucket);
            }

            return true;
        }

        entry = default;
        at = default;
        return false;
    }

    private void Enqueue(Entry entry, DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        var bucket = _newest;
        if (bucket is null || bucket.UtcTicks != ticks)
        {
            // Another bucket for an instant that already has one is harmless: buckets due at the same instant come out
            // in either order, as entries of one instant always could.
            bucket = _free.TryPop(out var free) ? free : new Bucket();
            bucket.UtcTicks = ticks;
            _buckets.Enqueue(bucket, ticks);
            _newest = bucket;
        }

        bucket.Items.Enqueue((entry, at));
        _count++;
    }

    /// <summary>Takes the front bucket, now empty, out of the queue and keeps it for reuse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per instant: see PreciseWake
    private void Release(Bucket bucket)
    {
        _buckets.Dequeue();
        if (ReferenceEquals(_newest, bucket))
        {
            _newest = null;
        }

        if (_free.Count < MaxFreeBuckets)
        {
            _free.Push(bucket);
        }
    }

    /// <summary>A job's next occurrence, or a one-off run when <see cref="OneOffSessionId"/> is set.</summary>
    internal readonly record struct Entry(ScheduledJob Job, int Version, Guid? OneOffSessionId)
    {
        public bool IsLive => !Job.IsRemoved && (OneOffSessionId is not null || Version == Job.Version);
    }

    /// <summary>The entries due at one instant, in the order they were queued.</summary>
    private sealed class Bucket
    {
        public long UtcTicks { get; set; }

        public Queue<(Entry Entry, DateTimeOffset At)> Items { get; } = new();
    }
}
