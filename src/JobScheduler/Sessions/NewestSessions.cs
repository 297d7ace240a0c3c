namespace JobScheduler.Sessions;

/// <summary>
/// The newest <c>limit</c> sessions offered, by start time and then by insertion (newest first), kept in a heap of at
/// most <c>limit</c> entries: a query for the 20 newest of a million sessions does not sort them all.
/// </summary>
internal sealed class NewestSessions(int limit)
{
    // A min-heap on (start, sequence): its root is the oldest kept, the one a newer offer replaces.
    private readonly PriorityQueue<JobSession, (DateTimeOffset StartedAt, long Sequence)> _heap = new();

    public void Offer(in StoredEntry entry)
    {
        var key = (entry.Session.StartedAt, entry.Sequence);
        if (_heap.Count < limit)
        {
            _heap.Enqueue(entry.Session, key);
        }
        else if (_heap.TryPeek(out _, out var oldest) && key.CompareTo(oldest) > 0)
        {
            _heap.DequeueEnqueue(entry.Session, key);
        }
    }

    /// <summary>Returns the sessions kept, newest first.</summary>
    public JobSession[] ToArray()
    {
        var result = new JobSession[_heap.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = _heap.Dequeue();
        }

        return result;
    }
}
