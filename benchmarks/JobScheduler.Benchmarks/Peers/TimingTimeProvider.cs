using System.Diagnostics;

namespace JobScheduler.Benchmarks.Peers;

/// <summary>
/// Diagnostics only (BENCH_TIMER_STATS=1): the system clock, with every timer callback timed, so a run can show how
/// long the scheduler's timer thread spends per wake-up. Prints a summary to stderr.
/// </summary>
internal sealed class TimingTimeProvider : TimeProvider
{
    private readonly List<(long StartTicks, double Ms)> _callbacks = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => System.CreateTimer(
            s =>
            {
                var start = BenchClock.NowTicks;
                var watch = Stopwatch.StartNew();
                callback(s);
                lock (_callbacks)
                {
                    _callbacks.Add((start, watch.Elapsed.TotalMilliseconds));
                }
            },
            state,
            dueTime,
            period);

    public void Report()
    {
        lock (_callbacks)
        {
            var heavy = _callbacks.Where(c => c.Ms > 1).ToList();
            Console.Error.WriteLine($"timer callbacks: {_callbacks.Count}, > 1 ms: {heavy.Count}");
            foreach (var (start, ms) in heavy.TakeLast(8))
            {
                Console.Error.WriteLine($"  woke at +{(start % TimeSpan.TicksPerSecond) / 10000.0:0.00} ms past the second, ran {ms:0.00} ms");
            }
        }
    }
}
