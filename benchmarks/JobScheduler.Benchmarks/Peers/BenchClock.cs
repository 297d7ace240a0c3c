using System.Diagnostics;

namespace JobScheduler.Benchmarks.Peers;

/// <summary>
/// The measuring clock: UTC anchored once at process start, then advanced by <see cref="Stopwatch"/> only, so a
/// measurement never sees the coarse or stepping wall clock the schedulers themselves read.
/// </summary>
internal static class BenchClock
{
    private static readonly long AnchorUtcTicks = DateTime.UtcNow.Ticks;
    private static readonly long AnchorTimestamp = Stopwatch.GetTimestamp();

    public static void Initialize() => _ = AnchorUtcTicks + AnchorTimestamp;

    public static long NowTicks => AnchorUtcTicks + Stopwatch.GetElapsedTime(AnchorTimestamp).Ticks;

    public static DateTime UtcNow => new(NowTicks, DateTimeKind.Utc);

    /// <summary>Waits until the measuring clock reaches <paramref name="ticks"/> (sleeps, then spins the last ms).</summary>
    public static async Task WaitUntilAsync(long ticks)
    {
        while (true)
        {
            var left = ticks - NowTicks;
            if (left <= 0)
            {
                return;
            }

            if (left > TimeSpan.TicksPerMillisecond * 20)
            {
                await Task.Delay(TimeSpan.FromTicks(left - (TimeSpan.TicksPerMillisecond * 10))).ConfigureAwait(false);
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }
}

/// <summary>Every run of every job: which job, the occurrence it ran for (0 when the system does not say), and when it started.</summary>
internal static class RunLog
{
    private static Run[] _runs = [];
    private static int _count;

    public static int Count => Math.Min(Volatile.Read(ref _count), _runs.Length);

    public static void Initialize(int capacity)
    {
        _runs = new Run[capacity];
        _count = 0;
    }

    /// <summary>Called first thing in every job body.</summary>
    public static void Hit(int job, long occurrenceUtcTicks) => Hit(job, occurrenceUtcTicks, BenchClock.NowTicks);

    public static void Hit(int job, long occurrenceUtcTicks, long now)
    {
        var i = Interlocked.Increment(ref _count) - 1;
        if (i < _runs.Length)
        {
            _runs[i] = new Run(job, occurrenceUtcTicks, now);
        }
    }

    public static ReadOnlySpan<Run> Snapshot() => _runs.AsSpan(0, Count);

    internal readonly record struct Run(int Job, long OccurrenceTicks, long StartTicks);
}
