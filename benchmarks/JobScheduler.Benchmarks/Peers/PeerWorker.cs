using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Benchmarks.Peers;

/// <summary>
/// One measurement in its own process: <c>worker &lt;system&gt; &lt;workload&gt; [--jobs N] [--seconds S] [--warmup S] [--days D]</c>.
/// Prints one JSON object (metric name → number) as the last line of stdout.
/// </summary>
internal static class PeerWorker
{
    public static async Task<int> RunAsync(string[] args)
    {
        BenchClock.Initialize();
        RuntimeEvents.StartIfAsked();
        var system = args[0];
        var workload = args[1];
        var jobs = IntOption(args, "--jobs", 10);
        var seconds = IntOption(args, "--seconds", 30);
        var result = new Dictionary<string, double>();
        try
        {
            switch (workload)
            {
                case "precision":
                case "scale":
                    await FiringAsync(system, jobs, seconds, IntOption(args, "--warmup", 0), result).ConfigureAwait(false);
                    break;
                case "idle":
                    await IdleAsync(system, jobs, seconds, result).ConfigureAwait(false);
                    break;
                case "startup":
                    await StartupAsync(system, jobs, result).ConfigureAwait(false);
                    break;
                case "fakeclock":
                    await FakeClockAsync(IntOption(args, "--days", 30), result).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentException($"Unknown workload '{workload}'.");
            }
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = ex.GetType().Name + ": " + ex.Message }));
            return 1;
        }

        Console.Out.WriteLine(JsonSerializer.Serialize(result));
        Console.Out.Flush();

        // Some peers keep foreground threads; the measurement is done.
        Environment.Exit(0);
        return 0;
    }

    /// <summary>
    /// W1/W2: every job fires every second. Occurrences in a window of <paramref name="seconds"/> whole seconds,
    /// starting 2 s plus <paramref name="warmUp"/> seconds after every job is scheduled, are counted; runs may arrive up to 1.5 s after the window's last one.
    /// </summary>
    private static async Task FiringAsync(string systemName, int jobs, int seconds, int warmUp, Dictionary<string, double> result)
    {
        RunLog.Initialize(jobs * (seconds + warmUp + 8) * 2);
        await using var system = PeerSystem.Create(systemName);
        await system.StartAsync(jobs, hourlyAtMinute: null).ConfigureAwait(false);

        var firstSecond = (BenchClock.NowTicks / TimeSpan.TicksPerSecond) + 2 + warmUp; // whole seconds since 0001-01-01
        var lastSecond = firstSecond + seconds - 1;
        using var process = Process.GetCurrentProcess();

        await BenchClock.WaitUntilAsync((firstSecond * TimeSpan.TicksPerSecond) - (TimeSpan.TicksPerMillisecond * 100)).ConfigureAwait(false);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var kernel0 = process.PrivilegedProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        var gc0 = GcCounts.Read();
        var jit0 = JitCounts.Read();
        var runs0 = RunLog.Count;
        await BenchClock.WaitUntilAsync(((lastSecond + 1) * TimeSpan.TicksPerSecond) + (TimeSpan.TicksPerMillisecond * 500)).ConfigureAwait(false);
        process.Refresh();
        var cpu1 = process.TotalProcessorTime;
        var kernel1 = process.PrivilegedProcessorTime;
        var alloc1 = GC.GetTotalAllocatedBytes(precise: false);
        var gc1 = GcCounts.Read();
        var jit1 = JitCounts.Read();
        var runs1 = RunLog.Count;
        await BenchClock.WaitUntilAsync((lastSecond + 2) * TimeSpan.TicksPerSecond).ConfigureAwait(false);
        process.Refresh();

        var counts = new int[jobs * seconds];
        var lateness = new List<double>(jobs * seconds);
        var inferred = 0;
        foreach (var run in RunLog.Snapshot())
        {
            long occurrenceSecond;
            if (run.OccurrenceTicks != 0)
            {
                occurrenceSecond = run.OccurrenceTicks / TimeSpan.TicksPerSecond;
            }
            else
            {
                // The system does not say which occurrence it ran: the whole second at or before the start (5 ms early allowed).
                occurrenceSecond = (run.StartTicks + (TimeSpan.TicksPerMillisecond * 5)) / TimeSpan.TicksPerSecond;
                inferred++;
            }

            if (occurrenceSecond < firstSecond || occurrenceSecond > lastSecond || run.Job < 0 || run.Job >= jobs)
            {
                continue;
            }

            counts[(run.Job * seconds) + (int)(occurrenceSecond - firstSecond)]++;
            lateness.Add((run.StartTicks - (occurrenceSecond * TimeSpan.TicksPerSecond)) / (double)TimeSpan.TicksPerMillisecond);
        }

        var missed = counts.Count(c => c == 0);
        var doubled = counts.Where(c => c > 1).Sum(c => c - 1);
        lateness.Sort();
        result["expected"] = jobs * seconds;
        result["runs"] = lateness.Count;
        result["missed"] = missed;
        result["doubled"] = doubled;
        result["inferredOccurrences"] = inferred;
        if (lateness.Count > 0)
        {
            result["p50"] = Percentile(lateness, 0.50);
            result["p99"] = Percentile(lateness, 0.99);
            result["max"] = lateness[^1];
            result["min"] = lateness[0];
            result["early"] = lateness.Count(l => l < 0);
        }

        var windowRuns = runs1 - runs0;
        result["cpuMs"] = (cpu1 - cpu0).TotalMilliseconds;
        if (windowRuns > 0)
        {
            result["cpuPer1000"] = (cpu1 - cpu0).TotalMilliseconds / windowRuns * 1000;
            result["kernelCpuPer1000"] = (kernel1 - kernel0).TotalMilliseconds / windowRuns * 1000;
            result["allocPerRunB"] = (alloc1 - alloc0) / (double)windowRuns;
        }

        result["peakWsMb"] = process.PeakWorkingSet64 / 1048576.0;
        result["gcPauseMs"] = (gc1.Pause - gc0.Pause).TotalMilliseconds;
        result["gen0"] = gc1.Gen0 - gc0.Gen0;
        result["gen1"] = gc1.Gen1 - gc0.Gen1;
        result["gen2"] = gc1.Gen2 - gc0.Gen2;
        var jit = jit1 - jit0;
        result["jitMs"] = jit.Time.TotalMilliseconds;
        result["jitMethods"] = jit.Methods;
    }

    /// <summary>The garbage collector's counters: collections per generation (each counts the younger ones too) and total pause.</summary>
    private readonly record struct GcCounts(int Gen0, int Gen1, int Gen2, TimeSpan Pause)
    {
        public static GcCounts Read() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
    }

    /// <summary>W3: hourly jobs at a minute 30 minutes away, so nothing is due; CPU used over the window and working set.</summary>
    private static async Task IdleAsync(string systemName, int jobs, int seconds, Dictionary<string, double> result)
    {
        RunLog.Initialize(jobs * 2);
        var minute = (DateTime.UtcNow.Minute + 30) % 60;
        await using var system = PeerSystem.Create(systemName);
        await system.StartAsync(jobs, minute).ConfigureAwait(false);

        // Let start-up work finish, and start every system from a collected heap.
        await Task.Delay(2000).ConfigureAwait(false);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // The settle's continuation can be a process's first thread-pool work since its start (a system whose start
        // queued none), and the runtime's one-time tier-up of the start-up code follows the first such work: a second
        // wait keeps it out of a window that measures what a settled process costs.
        await Task.Delay(1000).ConfigureAwait(false);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        process.Refresh();
        result["cpuMs"] = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
        result["windowS"] = wall.Elapsed.TotalSeconds;
        result["wsMb"] = process.WorkingSet64 / 1048576.0;
        result["runs"] = RunLog.Count;
    }

    /// <summary>
    /// W4: from host start (the host built with every registration, StartAsync called; for Quartz and Hangfire, which
    /// schedule after start, the scheduler created) to every job scheduled; also from the first line of set-up, and the
    /// JIT's share of the start. <c>BENCH_W4_WARM=1</c> starts and stops the system once before the measured start, so
    /// what is measured is the start without the process's first-time costs (JIT compilation, type loading).
    /// </summary>
    private static async Task StartupAsync(string systemName, int jobs, Dictionary<string, double> result)
    {
        RunLog.Initialize(jobs * 2);
        var minute = (DateTime.UtcNow.Minute + 30) % 60;
        if (Environment.GetEnvironmentVariable("BENCH_W4_WARM") == "1")
        {
            await using var warm = PeerSystem.Create(systemName);
            await warm.StartAsync(jobs, minute).ConfigureAwait(false);
        }

        var watch = Stopwatch.StartNew();
        await using var system = PeerSystem.Create(systemName);
        await system.StartAsync(jobs, minute).ConfigureAwait(false);
        var jit = JitCounts.Read() - system.StartedJit;
        var elapsed = Stopwatch.GetElapsedTime(system.StartedTimestamp);
        result["startupMs"] = elapsed.TotalMilliseconds;
        result["withSetupMs"] = watch.Elapsed.TotalMilliseconds;
        result["jitMs"] = jit.Time.TotalMilliseconds;
        result["jitMethods"] = jit.Methods;

        // For BENCH_JIT_EVENTS: the window in the events' own clock, to pick out the methods compiled during the start.
        var now = DateTime.UtcNow;
        await Console.Error.WriteLineAsync($"W4 window {now - elapsed:HH:mm:ss.ffff} to {now:HH:mm:ss.ffff}").ConfigureAwait(false);
    }

    /// <summary>W5 (JobScheduler only): a month of an every-minute job under JobSchedulerTestHost, wall time.</summary>
    private static async Task FakeClockAsync(int days, Dictionary<string, double> result)
    {
        MinutelyJob.Runs = 0;
        var watch = Stopwatch.StartNew();
        await using (var host = await JobSchedulerTestHost.StartAsync(services => services.AddJobScheduler().AddJob<MinutelyJob>("* * * * *", j => j.WithName("minutely"))).ConfigureAwait(false))
        {
            var started = watch.Elapsed;
            await host.AdvanceAsync(TimeSpan.FromDays(days)).ConfigureAwait(false);
            result["advanceMs"] = (watch.Elapsed - started).TotalMilliseconds;
        }

        result["wallMs"] = watch.Elapsed.TotalMilliseconds;
        result["runs"] = MinutelyJob.Runs;
        result["expected"] = days * 24 * 60;
    }

    private static double Percentile(List<double> sorted, double p)
    {
        var index = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    internal sealed class MinutelyJob : IJob
    {
        public static int Runs;

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Runs);
            return Task.CompletedTask;
        }
    }
}
