using BenchmarkDotNet.Attributes;
using JobScheduler.Scheduling;

namespace JobScheduler.Benchmarks.Micro;

/// <summary>
/// The engine's priority queue at 10 and 10,000 jobs: one fire cycle (dequeue the earliest due entry, enqueue its
/// next occurrence), and one re-arm peek.
/// </summary>
[MemoryDiagnoser]
public class QueueBenchmarks
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private OccurrenceQueue _queue = null!;
    private DateTimeOffset _now;

    [Params(10, 10_000)]
    public int Jobs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _queue = new OccurrenceQueue();
        for (var i = 0; i < Jobs; i++)
        {
            // Only Version and IsRemoved are read by the queue; the plan is not needed.
            _queue.EnqueueOccurrence(new ScheduledJob(null!), Start.AddMilliseconds(i));
        }

        _now = DateTimeOffset.MaxValue; // every entry is due: each cycle really dequeues and re-enqueues
    }

    [Benchmark(Description = "Dequeue due + enqueue next")]
    public bool FireCycle()
    {
        if (_queue.TryDequeueDue(_now, out var entry, out var at))
        {
            // Behind every other job, as when all jobs fire every second.
            _queue.EnqueueOccurrence(entry.Job, at.AddTicks(Jobs));
            return true;
        }

        return false;
    }

    [Benchmark(Description = "Peek earliest (re-arm)")]
    public DateTimeOffset? Peek() => _queue.PeekTime();
}
