namespace JobScheduler.Sessions;

/// <summary>
/// The slots every job's sessions live in, in the in-memory store: one set of fixed-size chunks shared by all jobs, a
/// bit per slot for whether it holds a session, and a cursor that hands out the next free slot after the last one
/// handed out. Each job keeps only the positions of its own sessions (<see cref="SessionLog"/>). Callers lock the store.
/// </summary>
/// <remarks>
/// <para>
/// Why shared: with a ring of slots per job, a run writes into its own job's ring, so at 10,000 jobs running every
/// second each run lands on a different page of memory, 10,000 pages a second, and the processor loses the address
/// translation of every one of them between two runs of the job (docs/performance.md, ninth round: 5.4–7.0 ms of CPU
/// per 1,000 runs once every ring had wrapped, against 3.3–3.6 with a bound of 1). Here runs write one after the other
/// into the same few pages, whichever job they belong to.
/// </para>
/// <para>
/// The cursor's next free slot is almost always the one right after the last, because jobs drop their oldest session
/// in about the order they wrote it: a slot written a full lap of the cursor ago has been let go since. A slot still
/// held (the sessions of a job that runs rarely) is stepped over, 64 at a time, and keeps its place; nothing is
/// copied, so a job's positions never change.
/// </para>
/// <para>
/// The slots hold no reference (<see cref="StoredSession"/>), and their chunks are allocated on the pinned object heap:
/// the collector neither copies them from the young generation, as it did with every chunk a starting process reserved,
/// nor scans them in a full collection. What sessions reference lives beside them: instance ids in a small table the
/// values index, and the rare error or metadata in a dictionary by position (docs/performance.md, twelfth round).
/// </para>
/// </remarks>
internal sealed class SessionSlots
{
    // 1,024 sessions (56 KB, and their ids 16 KB) a chunk: chunks are added, never copied, so growing never moves what
    // is stored, and memory follows the jobs' reservations to within one chunk.
    private const int ChunkShift = 10;
    internal const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    // Instance ids get an entry each, up to this many; a session of any other instance keeps its id in its details.
    internal const int MaxInstances = 256;
    private const ushort InDetails = ushort.MaxValue;

    private readonly List<string?> _instances = [null]; // entry 0: no instance id
    private readonly Dictionary<int, SessionDetails> _details = [];
    private Chunk[] _chunks = [];
    private ulong[] _used = []; // bit p is set while slot p holds a session; sized with the table, ahead of the chunks
    private ulong[] _detailed = []; // bit p is set while slot p's details are in _details
    private int _capacity;
    private int _reserved;
    private int _count;
    private int _cursor; // where the search for the next free slot starts

    /// <summary>Gets how many slots hold a session.</summary>
    public int Count => _count;

    /// <summary>Gets how many slots there are, held or free.</summary>
    public int Capacity => _capacity;

    /// <summary>Gets how many sessions keep details beyond an instance id (an error, metadata).</summary>
    internal int DetailedCount => _details.Count;

    /// <summary>Gets the values of the session in slot <paramref name="position"/>.</summary>
    public ref readonly StoredSession this[int position] => ref _chunks[position >> ChunkShift].Sessions[position & ChunkMask];

    /// <summary>Gets the id of the session in slot <paramref name="position"/>.</summary>
    public Guid IdAt(int position) => _chunks[position >> ChunkShift].Ids[position & ChunkMask];

    /// <summary>Gets what the session in slot <paramref name="position"/> references.</summary>
    public SessionDetails DetailsAt(int position)
        => IsDetailed(position) ? _details[position] : new(null, _instances[this[position].Instance], JobSession.EmptyMetadata);

    /// <summary>
    /// Makes room for <paramref name="slots"/> more sessions before they are written: a job reserves its bound when it
    /// first writes, so the store reaches the memory of its steady state as jobs appear, not a chunk at a time while
    /// they run.
    /// </summary>
    public void Reserve(int slots)
    {
        _reserved += slots;
        while (_capacity < _reserved)
        {
            AddChunk();
        }
    }

    /// <summary>Stores a session in the next free slot and returns its position.</summary>
    public int Add(Guid id, long sequence, JobSession session)
    {
        var position = Take(id);
        Write(position, sequence, session);
        return position;
    }

    /// <summary>Stores a Running session, from its values, in the next free slot and returns its position.</summary>
    public int Add(long sequence, in AttemptStart start)
    {
        var position = Take(start.Id);
        var instance = InstanceEntry(start.InstanceId);
        if (instance == InDetails)
        {
            SetDetails(position, new SessionDetails(null, start.InstanceId, JobSession.EmptyMetadata));
        }

        Slot(position) = new StoredSession(sequence, start, instance);
        return position;
    }

    /// <summary>Writes <paramref name="session"/> over the one in slot <paramref name="position"/>, keeping its place in the store's order.</summary>
    public void Replace(int position, JobSession session) => Write(position, this[position].Sequence, session);

    /// <summary>Frees slot <paramref name="position"/>, and lets go of what its session referenced.</summary>
    public void Free(int position)
    {
        _used[position >> 6] &= ~(1UL << position);
        _count--;
        if (IsDetailed(position))
        {
            ClearDetails(position);
        }
    }

    private int Take(Guid id)
    {
        if (_count == _capacity)
        {
            AddChunk(); // only sessions held past their job's reservation (running ones beyond the bound) get here
        }

        var position = NextFree();
        _used[position >> 6] |= 1UL << position;
        _chunks[position >> ChunkShift].Ids[position & ChunkMask] = id;
        _count++;
        _cursor = position + 1 == _capacity ? 0 : position + 1;
        return position;
    }

    private void Write(int position, long sequence, JobSession session)
    {
        var details = SessionDetails.Of(session);
        var instance = details.HasOnlyInstance ? InstanceEntry(details.InstanceId) : InDetails;
        if (instance == InDetails)
        {
            SetDetails(position, details);
        }
        else if (IsDetailed(position))
        {
            ClearDetails(position);
        }

        Slot(position) = new StoredSession(sequence, session, instance);
    }

    private ref StoredSession Slot(int position) => ref _chunks[position >> ChunkShift].Sessions[position & ChunkMask];

    // Almost always the first entry after "none": a store holds the sessions of its own instance.
    private ushort InstanceEntry(string? instanceId)
    {
        for (var i = 0; i < _instances.Count; i++)
        {
            if (ReferenceEquals(_instances[i], instanceId) || string.Equals(_instances[i], instanceId, StringComparison.Ordinal))
            {
                return (ushort)i;
            }
        }

        if (_instances.Count == MaxInstances)
        {
            return InDetails;
        }

        _instances.Add(instanceId);
        return (ushort)(_instances.Count - 1);
    }

    private bool IsDetailed(int position) => (_detailed[position >> 6] & (1UL << position)) != 0;

    private void SetDetails(int position, in SessionDetails details)
    {
        _details[position] = details;
        _detailed[position >> 6] |= 1UL << position;
    }

    private void ClearDetails(int position)
    {
        _details.Remove(position);
        _detailed[position >> 6] &= ~(1UL << position);
    }

    // There is a free slot (the count is below the capacity), so the search ends within one lap.
    private int NextFree()
    {
        var word = _cursor >> 6;
        var free = ~_used[word] & (ulong.MaxValue << _cursor); // shifts use the low 6 bits: the cursor's bit onwards
        while (free == 0)
        {
            word = word + 1 == _capacity >> 6 ? 0 : word + 1; // the bits past the capacity belong to no chunk yet
            free = ~_used[word];
        }

        return (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(free);
    }

    private void AddChunk()
    {
        var index = _capacity >> ChunkShift;
        if (index == _chunks.Length)
        {
            // Doubled, as a list's array is: while 10,000 jobs make their first runs, a chunk is added every ten jobs,
            // and growing the table and the bits by one chunk would copy them (the bits past 85 KB, on the large object
            // heap) a thousand times in that second.
            Array.Resize(ref _chunks, Math.Max(4, _chunks.Length * 2));
            Array.Resize(ref _used, _chunks.Length * (ChunkSize / 64));
            Array.Resize(ref _detailed, _used.Length);
        }

        _chunks[index] = new Chunk();
        _capacity += ChunkSize;
    }

    // The ids apart from the sessions: a search for an id reads 16 bytes a session, not 72. Both arrays are pinned, so
    // they start in the old generation and are never copied; holding no reference, they are never scanned either.
    private sealed class Chunk
    {
        public readonly StoredSession[] Sessions = GC.AllocateArray<StoredSession>(ChunkSize, pinned: true);
        public readonly Guid[] Ids = GC.AllocateArray<Guid>(ChunkSize, pinned: true);
    }
}
