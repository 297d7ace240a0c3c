namespace JobScheduler.Sessions;

/// <summary>
/// One job's sessions in the in-memory store, oldest first, in a ring reserved at the job's bound on its first write
/// that then reuses the slot of the session it drops: no allocation per write, and dropping the oldest moves nothing.
/// Callers lock it.
/// </summary>
/// <remarks>
/// Sessions are kept by value (<see cref="StoredSession"/>, 80 bytes) with their ids beside them, not as the objects
/// written; the job's name is kept once, for the whole log.
/// </remarks>
internal sealed class SessionLog(string jobName)
{
    // Up to this many sessions, finding an id scans the ids newest first: cheaper than hashing, and the ids sit in an
    // array of their own (16 bytes each) so the scan reads no more than it must. Logs allowed past it get a set.
    private const int ScanLimit = 128;

    // 256 slots are 20 KB of sessions and 4 KB of ids: arrays that stay off the large object heap (85 KB).
    private const int FirstReservation = 256;

    private StoredSession[] _slots = [];
    private Guid[] _ids = [];
    private HashSet<Guid>? _idSet;
    private int _head; // the oldest session's slot
    private int _count;
    private int _running; // how many of the sessions are Running

    public int Count => _count;

    /// <summary>Gets the session at <paramref name="index"/>, 0 being the oldest.</summary>
    public ref readonly StoredSession this[int index] => ref _slots[Slot(index)];

    /// <summary>Gets the id of the session at <paramref name="index"/>.</summary>
    public Guid IdAt(int index) => _ids[Slot(index)];

    /// <summary>Gets the job's name, as the log's first session gave it.</summary>
    public string JobName => jobName;

    public bool Contains(Guid id) => IndexOf(id) >= 0;

    /// <summary>Appends a session as the newest, then drops the oldest ended ones beyond <paramref name="capacity"/>.</summary>
    public void Add(long sequence, JobSession session, int capacity) => Add(session.Id, new StoredSession(sequence, session), capacity);

    /// <summary>Appends a session, kept as <paramref name="value"/>, as the newest, then drops the oldest ended ones beyond <paramref name="capacity"/>.</summary>
    public void Add(Guid id, in StoredSession value, int capacity)
    {
        if (_count == _slots.Length)
        {
            Grow(capacity);
        }

        var slot = Slot(_count);
        _slots[slot] = value;
        _ids[slot] = id;
        _count++;
        if (value.Status == JobSessionStatus.Running)
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

    /// <summary>Replaces the session with the same id in place; returns <see langword="false"/> when there is none.</summary>
    public bool TryReplace(JobSession written)
    {
        var index = IndexOf(written.Id);
        if (index < 0)
        {
            return false;
        }

        var slot = Slot(index);
        var wasRunning = _slots[slot].Status == JobSessionStatus.Running;
        _slots[slot] = new StoredSession(_slots[slot].Sequence, written); // keeps its place in the store's order
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
            var slot = Slot(i);
            if (match(in _slots[slot]))
            {
                _idSet?.Remove(_ids[slot]);
                if (_slots[slot].Status == JobSessionStatus.Running)
                {
                    _running--;
                }

                continue;
            }

            var to = Slot(kept++);
            _slots[to] = _slots[slot];
            _ids[to] = _ids[slot];
        }

        var removed = _count - kept;
        for (var i = kept; i < _count; i++)
        {
            _slots[Slot(i)] = default; // let go of the references of what was removed
        }

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
            if (_ids[Slot(i)] == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Whether the oldest session has ended, read from the slot only when the counts cannot tell: in the common case
    /// the one running session is the start just appended, and at 10,000 jobs the oldest's slot is memory no cache holds.
    /// </summary>
    private bool OldestHasEnded()
        => _running == 0
        || (_running == 1 && _count > 1 && _slots[Slot(_count - 1)].Status == JobSessionStatus.Running)
        || _slots[_head].Status != JobSessionStatus.Running;

    // An ended session only, so the running count stands. The slot keeps its value until it is written again (with the
    // ring one slot past the bound, by the very next append): clearing it would be a second write to cold memory per
    // run, for references (an error, metadata) the log held anyway while it was at its bound.
    private void DropOldest()
    {
        _idSet?.Remove(_ids[_head]);
        _head = _head + 1 == _slots.Length ? 0 : _head + 1;
        _count--;
    }

    /// <summary>
    /// Reserves the whole bound, plus the one slot a new session takes before the oldest is dropped, at the first write
    /// (a log at its bound of 100 holds 101 slots), up to <see cref="FirstReservation"/> slots; a larger bound is reached
    /// by doubling. Only running sessions held past the bound grow the ring beyond it.
    /// </summary>
    /// <remarks>
    /// Growing by doubling from a few slots looked cheaper but was not: jobs on the same schedule fill their logs in step,
    /// so at 10,000 jobs every log doubled in the same second, and the collector promoted and copied those tens of
    /// megabytes of new rings in the middle of a burst of runs (W2 in docs/performance.md: GC pauses 68–106 ms in the
    /// window, 12–25 ms with rings reserved at once). A log reaches its bound in steady state anyway; reserving it first
    /// moves that memory to the job's first run instead of its hundredth.
    /// </remarks>
    private void Grow(int capacity)
    {
        var full = capacity + 1;
        var length = _slots.Length == 0 ? Math.Min(full, FirstReservation)
            : _slots.Length < full ? Math.Min(_slots.Length * 2, full)
            : _slots.Length * 2;
        var slots = new StoredSession[length];
        var ids = new Guid[slots.Length];
        for (var i = 0; i < _count; i++)
        {
            slots[i] = this[i];
            ids[i] = _ids[Slot(i)];
        }

        _slots = slots;
        _ids = ids;
        _head = 0;
    }

    private IEnumerable<Guid> Ids()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _ids[Slot(i)];
        }
    }

    private int Slot(int index)
    {
        var slot = _head + index;
        return slot < _slots.Length ? slot : slot - _slots.Length;
    }

    /// <summary>Selects sessions by reference to their slot, without copying them.</summary>
    public delegate bool SessionPredicate(in StoredSession session);
}
