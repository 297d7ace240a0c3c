using JobScheduler.Execution;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// <see cref="ConcurrencyGate"/> on its own: free slots are taken without queuing, waiters are served in arrival order,
/// a cancelled waiter gives its place back, and under many threads the limit holds and every run gets in.
/// </summary>
public sealed class ConcurrencyGateTests : IDisposable
{
    private readonly DetachedRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void TryEnter_CapacityTwo_TwoEnterThenFull()
    {
        var gate = new ConcurrencyGate(2);

        Assert.True(gate.TryEnter());
        Assert.True(gate.TryEnter());
        Assert.False(gate.TryEnter());

        gate.Release();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task Release_TwoWaiters_GrantsThemInArrivalOrder()
    {
        var gate = new ConcurrencyGate(1);
        Assert.True(gate.TryEnter());
        var (first, second) = (CreateRun(), CreateRun());

        var firstEntered = gate.EnterAsync(first, CancellationToken.None);
        var secondEntered = gate.EnterAsync(second, CancellationToken.None);
        Assert.False(firstEntered.IsCompleted);
        Assert.Equal(RunPhase.WaitingForSlot, first.Phase);

        gate.Release();
        await firstEntered;
        Assert.Equal(RunPhase.Executing, first.Phase);
        Assert.False(secondEntered.IsCompleted);
        Assert.False(gate.TryEnter()); // a newcomer does not overtake the second waiter

        gate.Release();
        await secondEntered;
        gate.Release();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task Release_WaiterCancelled_SlotIsFreeAgain()
    {
        var gate = new ConcurrencyGate(1);
        Assert.True(gate.TryEnter());
        using var cancellation = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(CreateRun(), cancellation.Token);
        var waiting = gate.EnterAsync(CreateRun(), CancellationToken.None);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        gate.Release();
        await waiting; // the cancelled waiter ahead of it is skipped
        gate.Release();
        Assert.True(gate.TryEnter());
        Assert.False(gate.TryEnter());
    }

    [Fact]
    public async Task EnterAndRelease_ManyThreads_NeverMoreThanCapacityAndAllEnter()
    {
        const int Capacity = 2, Workers = 6, Rounds = 20_000;
        var gate = new ConcurrencyGate(Capacity);
        var inside = 0;
        var maxInside = 0;
        var entered = 0;

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            var run = CreateRun();
            for (var i = 0; i < Rounds; i++)
            {
                if (!gate.TryEnter())
                {
                    await gate.EnterAsync(run, CancellationToken.None);
                }

                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                Interlocked.Increment(ref entered);
                if (i % 2 == 0)
                {
                    await Task.Yield(); // hold the slot across a thread hop now and then, so others queue
                }

                Interlocked.Decrement(ref inside);
                gate.Release();
            }
        }));

        // A real-time guard against a lost wake-up (which would hang), not a timing assertion.
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(Workers * Rounds, entered);
        Assert.InRange(maxInside, 1, Capacity);
        for (var i = 0; i < Capacity; i++)
        {
            Assert.True(gate.TryEnter()); // no slot was lost
        }

        Assert.False(gate.TryEnter()); // and none was made up
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private JobRun CreateRun() => _runs.Create();
}
