namespace JobScheduler.Sessions;

/// <summary>
/// One job's sessions in the in-memory store, oldest first: their positions in the store's <see cref="SessionSlots"/>,
/// in a ring reserved at the job's bound on its first write. Dropping the oldest moves the head and frees its slot;
/// nothing is copied. Callers lock the store.
/// </summary>
/// <remarks>
/// The sessions themselves (<see cref="StoredSession"/>, 56 bytes, and their ids) are in the shared slots, so a run
/// writes 4 bytes here and its session where the runs of every other job are being written; the job's name is kept
/// once, for the whole log.
/// </remarks>
internal sealed class SessionLog(string jobName, SessionSlots slots)
{
    // Up to this many sessions, finding an id scans the ids newest first: cheaper than hashing. Logs allowed past it
    // get a set.
    private const int ScanLimit = 128;

    // A log reserves its bound in the shared slots at once up to this many sessions; a larger bound is reached by
    // doubling, as sessions come.
    private const int FirstReservation = 256;

    private int[] _positions = [];
    private HashSet<Guid>? _idSet;
    private int _head; // the oldest session's entry
    private int _count;
    private int _running; // how many of the sessions are Running

    public int Count => _count;

    /// <summary>Gets the session at <paramref name="index"/>, 0 being the oldest.</summary>
    public ref readonly StoredSession this[int index] => ref slots[PositionAt(index)];

    /// <summary>Gets the id of the session at <paramref name="index"/>.</summary>
    public Guid IdAt(int index) => slots.IdAt(PositionAt(index));

    /// <summary>Gets what the session at <paramref name="index"/> references.</summary>
    public SessionDetails DetailsAt(int index) => slots.DetailsAt(PositionAt(index));

    /// <summary>Gets the job's name, as the log's first session gave it.</summary>
    public string JobName => jobName;

    public bool Contains(Guid id) => IndexOf(id) >= 0;

    /// <summary>Appends a session as the newest, then drops the oldest ended ones beyond <paramref name="capacity"/>.</summary>
    public void Add(long sequence, JobSession session, int capacity)
    {
        MakeRoom(capacity);
        Append(session.Id, slots.Add(session.Id, sequence, session), session.Status == JobSessionStatus.Running, capacity);
    }

    /// <summary>Appends a Running session, from its values, as the newest, then drops the oldest ended ones beyond <paramref name="capacity"/>.</summary>
    public void Add(long sequence, in AttemptStart start, int capacity)
    {
        MakeRoom(capacity);
        Append(start.Id, slots.Add(sequence, start), running: true, capacity);
    }

    private void MakeRoom(int capacity)
    {
        if (_count == _positions.Length)
        {
            Grow(capacity);
        }
    }

    private void Append(Guid id, int position, bool running, int capacity)
    {
        _positions[Entry(_count)] = position;
        _count++;
        if (running)
        {
            _running++;
        }

        if (_idSet is not null)
        {
            _idSet.Add(id);
        }
        else if (_count > ScanLimit)
        {
            _idSet = [.. Ids()];
        }

        Bound(capacity);
    }

    /// <summary>
    /// Reads, without the store's lock, what a write reads first: this log and its newest position. At 10,000 jobs a
    /// log written once a second is memory no cache holds, and each write fetched it while holding the lock every
    /// worker takes; the lock's exits were 4–5 % of the W2 profile's samples (docs/performance.md, eleventh round, where
    /// this was measured only together with the round's other changes). Racing a writer is harmless: the values are
    /// not used.
    /// </summary>
    public void Prefetch()
    {
        var positions = _positions; // read once: a writer may replace it, and the entry must fall in the one read
        var entry = Wrap(_head + _count - 1, positions.Length);
        if ((uint)entry < (uint)positions.Length)
        {
            Volatile.Read(ref positions[entry]);
        }
    }

    /// <summary>Replaces the session with the same id in place; returns <see langword="false"/> when there is none.</summary>
    public bool TryReplace(JobSession written)
    {
        var index = IndexOf(written.Id);
        if (index < 0)
        {
            return false;
        }

        var position = PositionAt(index);
        var wasRunning = slots[position].Status == JobSessionStatus.Running;
        slots.Replace(position, written); // keeps its place in the store's order
        _running += (written.Status == JobSessionStatus.Running ? 1 : 0) - (wasRunning ? 1 : 0);
        return true;
    }

    /// <summary>Drops the oldest ended sessions until the log is within <paramref name="capacity"/>; running ones stay, whatever the bound.</summary>
    public void Bound(int capacity)
    {
        // The common case: the oldest has ended, and dropping it is moving the head.
        while (_count > capacity && OldestHasEnded())
        {
            DropOldest();
        }

        if (_count > capacity)
        {
            var excess = _count - capacity;
            RemoveWhere((in StoredSession s) => s.Status != JobSessionStatus.Running && excess-- > 0);
        }
    }

    /// <summary>Keeps the newest <paramref name="keep"/> ended sessions and every running one; returns how many were dropped.</summary>
    public int Trim(int keep)
    {
        var ended = 0;
        for (var i = 0; i < _count; i++)
        {
            if (this[i].Status != JobSessionStatus.Running)
            {
                ended++;
            }
        }

        var excess = ended - keep;
        return excess <= 0 ? 0 : RemoveWhere((in StoredSession s) => s.Status != JobSessionStatus.Running && excess-- > 0);
    }

    /// <summary>Removes, oldest first, every session <paramref name="match"/> selects; keeps the others in order.</summary>
    public int RemoveWhere(SessionPredicate match)
    {
        var kept = 0;
        for (var i = 0; i < _count; i++)
        {
            var position = PositionAt(i);
            ref readonly var session = ref slots[position];
            if (match(in session))
            {
                _idSet?.Remove(slots.IdAt(position));
                if (session.Status == JobSessionStatus.Running)
                {
                    _running--;
                }

                slots.Free(position);
                continue;
            }

            _positions[Entry(kept++)] = position;
        }

        var removed = _count - kept;
        _count = kept;
        return removed;
    }

    private int IndexOf(Guid id)
    {
        if (_idSet is not null && !_idSet.Contains(id))
        {
            return -1;
        }

        // The session looked for is almost always among the newest, so search from the end.
        for (var i = _count - 1; i >= 0; i--)
        {
            if (slots.IdAt(PositionAt(i)) == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Whether the oldest session has ended, read from its slot only when the counts cannot tell: in the common case
    /// the one running session is the start just appended, and at 10,000 jobs the oldest's slot is memory no cache holds.
    /// </summary>
    private bool OldestHasEnded()
        => _running == 0
        || (_running == 1 && _count > 1 && this[_count - 1].Status == JobSessionStatus.Running)
        || this[0].Status != JobSessionStatus.Running;

    // An ended session only, so the running count stands. Its slot keeps its values until the shared slots hand it out
    // again: clearing them would be a second write to cold memory per run.
    private void DropOldest()
    {
        var position = _positions[_head];
        _idSet?.Remove(slots.IdAt(position));
        slots.Free(position);
        _head = _head + 1 == _positions.Length ? 0 : _head + 1;
        _count--;
    }

    /// <summary>
    /// Reserves the whole bound, plus the one entry a new session takes before the oldest is dropped, at the first write
    /// (a log at its bound of 100 holds 101), up to <see cref="FirstReservation"/>; a larger bound is reached by
    /// doubling. Only running sessions held past the bound grow the ring beyond it. The shared slots reserve as much.
    /// </summary>
    /// <remarks>
    /// Growing by doubling from a few entries looked cheaper but was not: jobs on the same schedule fill their logs in
    /// step, so at 10,000 jobs every log grew in the same second, and the collector promoted and copied the new memory
    /// in the middle of a burst of runs (W2 in docs/performance.md: GC pauses 68–106 ms in the window, 12–25 ms with
    /// rings reserved at once). A log reaches its bound in steady state anyway; reserving it first moves that memory to
    /// the job's first run instead of its hundredth.
    /// </remarks>
    private void Grow(int capacity)
    {
        var full = capacity + 1;
        var length = _positions.Length == 0 ? Math.Min(full, FirstReservation)
            : _positions.Length < full ? Math.Min(_positions.Length * 2, full)
            : _positions.Length * 2;
        var positions = new int[length];
        for (var i = 0; i < _count; i++)
        {
            positions[i] = PositionAt(i);
        }

        slots.Reserve(length - _positions.Length);
        _positions = positions;
        _head = 0;
    }

    private IEnumerable<Guid> Ids()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return IdAt(i);
        }
    }

    private int PositionAt(int index) => _positions[Entry(index)];

    private int Entry(int index) => Wrap(_head + index, _positions.Length);

    private static int Wrap(int entry, int length) => entry < length ? entry : entry - length;

    /// <summary>Selects sessions by reference to their slot, without copying them.</summary>
    public delegate bool SessionPredicate(in StoredSession session);
}
