using JobScheduler.Execution;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// <see cref="RunSet"/> on its own: it holds exactly the runs added and not removed, reuses the slots of removed runs,
/// ignores a run it does not hold, and keeps every run when threads add and remove at once.
/// </summary>
public sealed class RunSetTests : IDisposable
{
    private readonly DetachedRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void ToList_AfterAddsAndRemoves_HoldsExactlyTheRunsNotRemoved()
    {
        var set = new RunSet();
        var runs = Enumerable.Range(0, 500).Select(_ => CreateRun()).ToList();
        runs.ForEach(set.Add);

        var removed = runs.Where((_, i) => i % 3 == 0).ToList();
        removed.ForEach(set.Remove);

        Assert.Equal(runs.Except(removed).ToHashSet(), set.ToList().ToHashSet());
        Assert.Equal(runs.Count - removed.Count, set.ToList().Count);
    }

    [Fact]
    public void Add_AfterRemoves_ReusesTheFreedSlots()
    {
        // 1,024 runs: 64 to each of the 16 stripes, each time, so no stripe needs a slot it did not have.
        var set = new RunSet();
        var first = Enumerable.Range(0, 1_024).Select(_ => CreateRun()).ToList();
        first.ForEach(set.Add);
        var slots = first.Select(r => r.SetSlot).ToHashSet();
        first.ForEach(set.Remove);

        var second = Enumerable.Range(0, 1_024).Select(_ => CreateRun()).ToList();
        second.ForEach(set.Add);

        Assert.Equal(second.ToHashSet(), set.ToList().ToHashSet());
        Assert.Equal(slots, second.Select(r => r.SetSlot).ToHashSet());
    }

    [Fact]
    public void Remove_RunNotInTheSet_LeavesTheOthers()
    {
        var set = new RunSet();
        var kept = CreateRun();
        var removedTwice = CreateRun();
        set.Add(kept);
        set.Add(removedTwice);

        set.Remove(removedTwice);
        set.Remove(removedTwice);
        set.Remove(CreateRun()); // never added

        Assert.Equal([kept], set.ToList());
    }

    [Fact]
    public void Find_MatchingRun_ReturnsIt()
    {
        var set = new RunSet();
        var runs = Enumerable.Range(0, 50).Select(_ => CreateRun()).ToList();
        runs.ForEach(set.Add);
        var wanted = runs[37];

        Assert.Same(wanted, set.Find(r => r == wanted));
        set.Remove(wanted);
        Assert.Null(set.Find(r => r == wanted));
    }

    [Fact]
    public async Task AddAndRemove_FromManyThreads_KeepsEveryRunNotRemoved()
    {
        var set = new RunSet();
        var kept = new System.Collections.Concurrent.ConcurrentBag<JobRun>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                var run = CreateRun();
                set.Add(run);
                if (i % 5 == t)
                {
                    kept.Add(run);
                }
                else
                {
                    set.Remove(run);
                }
            }
        })));

        Assert.Equal(kept.ToHashSet(), set.ToList().ToHashSet());
    }

    private JobRun CreateRun() => _runs.Create();
}
