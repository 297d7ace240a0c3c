using JobScheduler.Sessions;

namespace JobScheduler.Tests.Sessions;

/// <summary>The slots all jobs' sessions share: positions that never move, free slots handed out in order, no loss.</summary>
public sealed class SessionSlotsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static AttemptStart Start(long sequence, Guid? id = null)
        => new(id ?? Guid.NewGuid(), JobTrigger.Scheduled, T0, T0.AddSeconds(sequence), 1, "node-a");

    [Fact]
    public void Add_HandsOutSlotsInOrder_AndKeepsEachValueAndId()
    {
        var slots = new SessionSlots();
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();

        var positions = ids.Select((id, i) => slots.Add(i, Start(i, id))).ToArray();

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
            var position = slots.Add(i, Start(i, id));
            if (i is 3 or 64 or 65 or 127 or 1000)
            {
                held[position] = id;
            }
        }

        foreach (var position in Enumerable.Range(0, capacity).Where(p => !held.ContainsKey(p)))
        {
            slots.Free(position);
        }

        var next = Enumerable.Range(0, capacity - held.Count).Select(i => slots.Add(capacity + i, Start(capacity + i))).ToArray();

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
            slots.Add(i, Start(i));
        }

        slots.Free(capacity - 4);
        Assert.Equal(capacity - 4, slots.Add(capacity, Start(capacity))); // the cursor now near the end
        slots.Free(3);

        Assert.Equal(3, slots.Add(capacity + 1, Start(capacity + 1)));
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
            slots.Add(i, Start(i, ids[i]));
        }

        var position = slots.Add(capacity, Start(capacity));

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
    public void Details_OfAFailedSession_AreKeptBesideTheSlot_AndLetGoWhenItIsFreed()
    {
        var slots = new SessionSlots();
        var id = Guid.NewGuid();
        var failed = new JobSession
        {
            Id = id,
            JobName = "report",
            ScheduledAt = T0,
            StartedAt = T0,
            EndedAt = T0.AddSeconds(2),
            Duration = TimeSpan.FromSeconds(2),
            Status = JobSessionStatus.Failed,
            Attempt = 2,
            Error = "InvalidOperationException: disk full",
            InstanceId = "node-a",
            Metadata = new Dictionary<string, string> { ["rows"] = "12" },
        };
        var plain = slots.Add(1, Start(1));

        var position = slots.Add(id, 2, failed);
        var read = slots[position].ToSession(slots.IdAt(position), "report", slots.DetailsAt(position));

        Assert.Equal(failed.Error, read.Error);
        Assert.Equal("12", read.Metadata["rows"]);
        Assert.Equal(failed with { Metadata = read.Metadata }, read);
        Assert.Equal("node-a", slots.DetailsAt(plain).InstanceId);
        Assert.Equal(1, slots.DetailedCount); // the plain Running session keeps no details, only its instance's entry

        slots.Free(position);

        Assert.Equal(0, slots.DetailedCount);
    }

    [Fact]
    public void Replace_WithAnEndWithoutError_DropsTheDetailsTheSlotHad()
    {
        var slots = new SessionSlots();
        var id = Guid.NewGuid();
        var start = new JobSession { Id = id, JobName = "sync", ScheduledAt = T0, StartedAt = T0, Status = JobSessionStatus.Running, InstanceId = "node-b", Metadata = new Dictionary<string, string> { ["k"] = "v" } };
        var position = slots.Add(id, 1, start);

        slots.Replace(position, start with { Status = JobSessionStatus.Succeeded, EndedAt = T0.AddSeconds(1), Metadata = JobSession.EmptyMetadata });

        Assert.Equal(0, slots.DetailedCount);
        Assert.Equal(1, slots[position].Sequence); // its place in the store's order
        Assert.Equal(JobSessionStatus.Succeeded, slots[position].Status);
        Assert.Equal("node-b", slots.DetailsAt(position).InstanceId);
    }

    [Fact]
    public void InstanceIds_PastTheTable_AreKeptInTheDetails()
    {
        var slots = new SessionSlots();
        var positions = Enumerable.Range(0, 300)
            .Select(i => slots.Add(i, new AttemptStart(Guid.NewGuid(), JobTrigger.Scheduled, T0, T0, 1, $"node-{i}")))
            .ToArray();

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"node-{i}"), positions.Select(p => slots.DetailsAt(p).InstanceId));
        Assert.Equal(300 - (SessionSlots.MaxInstances - 1), slots.DetailedCount); // entry 0 is "no instance id"
    }

    [Fact]
    public void StoredSession_HoldsNoReference()
    {
        // The collector skips arrays of values without references: the slots, 100 sessions per job, add nothing to a
        // full collection (docs/performance.md, twelfth round). A field of a reference type would put them back in it,
        // and allocating the pinned chunks would throw.
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<StoredSession>());
    }
}
