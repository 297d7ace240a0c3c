using JobScheduler.Sessions;

namespace JobScheduler.Tests.Sessions;

/// <summary>The slots all jobs' sessions share: positions that never move, free slots handed out in order, no loss.</summary>
public sealed class SessionSlotsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static StoredSession Value(long sequence)
        => new(sequence, new AttemptStart(Guid.NewGuid(), JobTrigger.Scheduled, T0, T0.AddSeconds(sequence), 1, "node-a"));

    [Fact]
    public void Add_HandsOutSlotsInOrder_AndKeepsEachValueAndId()
    {
        var slots = new SessionSlots();
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();

        var positions = ids.Select((id, i) => slots.Add(id, Value(i))).ToArray();

        Assert.Equal(Enumerable.Range(0, 10), positions);
        Assert.Equal(10, slots.Count);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(ids[i], slots.IdAt(positions[i]));
            Assert.Equal(i, slots[positions[i]].Sequence);
        }
    }

    [Fact]
    public void Add_AfterALap_StepsOverHeldSlots_WhichKeepTheirValues()
    {
        // One chunk; every slot but a few held ones is freed, as busy jobs drop their oldest while a rare job keeps its
        // sessions. The next lap must write around the held slots, never over them.
        var slots = new SessionSlots();
        slots.Reserve(1);
        var capacity = slots.Capacity;
        var held = new Dictionary<int, Guid>();
        for (var i = 0; i < capacity; i++)
        {
            var id = Guid.NewGuid();
            var position = slots.Add(id, Value(i));
            if (i is 3 or 64 or 65 or 127 or 1000)
            {
                held[position] = id;
            }
        }

        foreach (var position in Enumerable.Range(0, capacity).Where(p => !held.ContainsKey(p)))
        {
            slots.Free(position, clear: false);
        }

        var next = Enumerable.Range(0, capacity - held.Count).Select(i => slots.Add(Guid.NewGuid(), Value(capacity + i))).ToArray();

        Assert.Equal(Enumerable.Range(0, capacity).Where(p => !held.ContainsKey(p)), next); // in order, around the held
        Assert.Equal(capacity, slots.Capacity); // no new chunk while there was room
        Assert.All(held, pair => Assert.Equal(pair.Value, slots.IdAt(pair.Key)));
    }

    [Fact]
    public void Add_WithTheOnlyFreeSlotBehindTheCursor_WrapsAroundToIt()
    {
        var slots = new SessionSlots();
        slots.Reserve(1);
        var capacity = slots.Capacity;
        for (var i = 0; i < capacity; i++)
        {
            slots.Add(Guid.NewGuid(), Value(i));
        }

        slots.Free(capacity - 4, clear: false);
        Assert.Equal(capacity - 4, slots.Add(Guid.NewGuid(), Value(capacity))); // the cursor now near the end
        slots.Free(3, clear: false);

        Assert.Equal(3, slots.Add(Guid.NewGuid(), Value(capacity + 1)));
        Assert.Equal(capacity, slots.Capacity);
    }

    [Fact]
    public void Add_WhenEverySlotIsHeld_AddsAChunk_AndMovesNothing()
    {
        var slots = new SessionSlots();
        slots.Reserve(1);
        var capacity = slots.Capacity;
        var ids = Enumerable.Range(0, capacity).Select(_ => Guid.NewGuid()).ToArray();
        for (var i = 0; i < capacity; i++)
        {
            slots.Add(ids[i], Value(i));
        }

        var position = slots.Add(Guid.NewGuid(), Value(capacity));

        Assert.Equal(capacity, position);
        Assert.Equal(2 * capacity, slots.Capacity);
        Assert.Equal(Enumerable.Range(0, capacity).Select(p => ids[p]), Enumerable.Range(0, capacity).Select(slots.IdAt));
    }

    [Fact]
    public void Reserve_AddsChunksUpToTheReservation_AndNoMore()
    {
        var slots = new SessionSlots();

        slots.Reserve(101);
        var one = slots.Capacity;
        slots.Reserve(one - 101);
        var same = slots.Capacity;
        slots.Reserve(1);

        Assert.InRange(one, 101, 65_536);
        Assert.Equal(one, same);
        Assert.Equal(2 * one, slots.Capacity);
    }

    [Fact]
    public void Free_WithClear_LetsGoOfTheValue_WithoutClearKeepsItUntilReused()
    {
        var slots = new SessionSlots();
        var kept = slots.Add(Guid.NewGuid(), Value(1));
        var cleared = slots.Add(Guid.NewGuid(), Value(2));

        slots.Free(kept, clear: false);
        slots.Free(cleared, clear: true);

        Assert.Equal(0, slots.Count);
        Assert.Equal(1, slots[kept].Sequence);
        Assert.Equal(0, slots[cleared].Sequence);
    }

    [Fact]
    public void Chunk_StaysUnderTheLargeObjectHeapThreshold()
    {
        // On the large object heap the chunks made full collections frequent and long (docs/performance.md, tenth
        // round); a StoredSession grown by a few bytes would put them back there.
        const int LargeObjectThreshold = 85_000;
        const int ArrayHeader = 24;

        Assert.True(
            System.Runtime.CompilerServices.Unsafe.SizeOf<StoredSession>() * SessionSlots.ChunkSize + ArrayHeader < LargeObjectThreshold,
            $"{SessionSlots.ChunkSize} sessions of {System.Runtime.CompilerServices.Unsafe.SizeOf<StoredSession>()} bytes");
    }
}
