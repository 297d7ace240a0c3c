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
/// </remarks>
internal sealed class SessionSlots
{
    // 1,024 sessions (80 KB) a chunk: chunks are added, never copied, so growing never moves what is stored, and
    // memory follows the jobs' reservations to within one chunk. A chunk stays under the large object heap's
    // 85,000 bytes on purpose: with 4,096-session chunks (320 KB, on that heap) a settled W2 process had a full
    // collection in most 20 s windows, each pausing it 80–140 ms, and p99 followed (docs/performance.md, tenth round).
    private const int ChunkShift = 10;
    internal const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private Chunk[] _chunks = [];
    private ulong[] _used = []; // bit p is set while slot p holds a session; sized with the table, ahead of the chunks
    private int _capacity;
    private int _reserved;
    private int _count;
    private int _cursor; // where the search for the next free slot starts

    /// <summary>Gets how many slots hold a session.</summary>
    public int Count => _count;

    /// <summary>Gets how many slots there are, held or free.</summary>
    public int Capacity => _capacity;

    /// <summary>Gets the session in slot <paramref name="position"/>.</summary>
    public ref StoredSession this[int position] => ref _chunks[position >> ChunkShift].Sessions[position & ChunkMask];

    /// <summary>Gets the id of the session in slot <paramref name="position"/>.</summary>
    public Guid IdAt(int position) => _chunks[position >> ChunkShift].Ids[position & ChunkMask];

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
    public int Add(Guid id, in StoredSession value)
    {
        if (_count == _capacity)
        {
            AddChunk(); // only sessions held past their job's reservation (running ones beyond the bound) get here
        }

        var position = NextFree();
        _used[position >> 6] |= 1UL << position;
        var chunk = _chunks[position >> ChunkShift];
        chunk.Sessions[position & ChunkMask] = value;
        chunk.Ids[position & ChunkMask] = id;
        _count++;
        _cursor = position + 1 == _capacity ? 0 : position + 1;
        return position;
    }

    /// <summary>
    /// Frees slot <paramref name="position"/>. Its value stays until the slot is written again, unless
    /// <paramref name="clear"/>: dropping a job's oldest session on every run should not write to memory written a
    /// lap ago, but a purge lets go of what it removed (an error, metadata) at once.
    /// </summary>
    public void Free(int position, bool clear)
    {
        _used[position >> 6] &= ~(1UL << position);
        _count--;
        if (clear)
        {
            this[position] = default;
        }
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
        }

        _chunks[index] = new Chunk();
        _capacity += ChunkSize;
    }

    // The ids apart from the sessions: a search for an id reads 16 bytes a session, not 96.
    private sealed class Chunk
    {
        public readonly StoredSession[] Sessions = new StoredSession[ChunkSize];
        public readonly Guid[] Ids = new Guid[ChunkSize];
    }
}
