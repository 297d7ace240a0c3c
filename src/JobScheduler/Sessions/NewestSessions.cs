namespace JobScheduler.Sessions;

/// <summary>
/// The newest <c>limit</c> sessions offered, by start time and then by insertion (newest first), kept in a heap of at
/// most <c>limit</c> entries: a query for the 20 newest of a million sessions neither sorts nor builds them all.
/// </summary>
internal sealed class NewestSessions(int limit)
{
    // A min-heap on (start, sequence): its root is the oldest kept, the one a newer offer replaces.
    private readonly PriorityQueue<SessionSnapshot, (long StartedAtUtcTicks, long Sequence)> _heap = new();

    /// <summary>Offers the session at <paramref name="index"/> of <paramref name="log"/> (the caller holds the log's lock).</summary>
    public void Offer(SessionLog log, int index)
    {
        ref readonly var session = ref log[index];
        var key = (session.StartedAtUtcTicks, session.Sequence);
        if (_heap.Count < limit)
        {
            _heap.Enqueue(new SessionSnapshot(session, log.IdAt(index), log.JobName, log.DetailsAt(index)), key);
        }
        else if (_heap.TryPeek(out _, out var oldest) && key.CompareTo(oldest) > 0)
        {
            _heap.DequeueEnqueue(new SessionSnapshot(session, log.IdAt(index), log.JobName, log.DetailsAt(index)), key);
        }
    }

    /// <summary>Returns the sessions kept, newest first, as new objects.</summary>
    public JobSession[] ToArray()
    {
        var result = new JobSession[_heap.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = _heap.Dequeue().ToSession();
        }

        return result;
    }
}
