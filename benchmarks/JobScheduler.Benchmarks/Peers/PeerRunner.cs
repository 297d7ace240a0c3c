using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace JobScheduler.Benchmarks.Peers;

/// <summary>
/// <c>peers [--quick] [--reps N] [--out DIR] [--systems a,b]</c>: runs every workload for every system, each in a child
/// process (<c>dotnet &lt;this dll&gt; worker …</c>), interleaved (system order rotates each repetition), and writes
/// a markdown table (medians, spread, ratio to the floor) and an SVG lateness chart.
/// </summary>
internal static class PeerRunner
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var reps = Option(args, "--reps") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : (quick ? 1 : 3);
        var outDir = Option(args, "--out") ?? FindResultsDirectory();
        var systems = Option(args, "--systems")?.Split(',') ?? PeerSystem.Names;
        var only = Option(args, "--workloads")?.Split(',');
        var workloads = Workload.All(quick).Where(w => only is null || only.Contains(w.Id)).ToList();
        var dll = typeof(PeerRunner).Assembly.Location;

        var results = new List<Measurement>();
        var total = reps * workloads.Sum(w => w.JobSchedulerOnly ? 1 : systems.Length);
        var done = 0;
        var started = Stopwatch.StartNew();
        for (var rep = 0; rep < reps; rep++)
        {
            foreach (var workload in workloads)
            {
                var order = workload.JobSchedulerOnly ? ["jobscheduler"] : Rotate(systems, rep);
                foreach (var system in order)
                {
                    done++;
                    Console.Error.Write($"[{done}/{total} {started.Elapsed:mm\\:ss}] rep {rep + 1} {workload.Id} {system} … ");
                    var m = await RunWorkerAsync(dll, system, workload, rep).ConfigureAwait(false);
                    results.Add(m);
                    Console.Error.WriteLine(m.Error ?? string.Join(' ', m.Values.Select(kv => $"{kv.Key}={kv.Value:0.###}")));
                }
            }
        }

        Directory.CreateDirectory(outDir);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture) + (quick ? "-quick" : string.Empty);
        var svgName = $"peers-{stamp}.svg";
        var markdown = PeerReport.Markdown(results, workloads, systems, quick, reps, svgName);
        var svg = PeerReport.Svg(results, systems);
        await File.WriteAllTextAsync(Path.Combine(outDir, $"peers-{stamp}.md"), markdown).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(outDir, svgName), svg).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(outDir, $"peers-{stamp}.json"), JsonSerializer.Serialize(results, Indented)).ConfigureAwait(false);
        Console.WriteLine(markdown);
        Console.Error.WriteLine($"Wrote {Path.Combine(outDir, $"peers-{stamp}.md")} and {svgName} in {started.Elapsed:mm\\:ss}.");
        return results.Any(m => m.Error is not null) ? 2 : 0;
    }

    private static async Task<Measurement> RunWorkerAsync(string dll, string system, Workload workload, int rep)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("worker");
        info.ArgumentList.Add(system);
        info.ArgumentList.Add(workload.Kind);
        foreach (var a in workload.Args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(workload.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return new Measurement(workload.Id, system, rep, [], $"timed out after {workload.Timeout.TotalSeconds:0} s");
        }

        var line = (await stdout.ConfigureAwait(false)).Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            var err = (await stderr.ConfigureAwait(false)).Trim();
            return new Measurement(workload.Id, system, rep, [], $"no result (exit {process.ExitCode}): {err[..Math.Min(300, err.Length)]}");
        }

        using var doc = JsonDocument.Parse(line);
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            return new Measurement(workload.Id, system, rep, [], error.GetString());
        }

        var values = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        return new Measurement(workload.Id, system, rep, values, null);
    }

    private static string[] Rotate(string[] items, int by) => [.. items.Skip(by % items.Length), .. items.Take(by % items.Length)];

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string FindResultsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JobScheduler.sln")))
            {
                return Path.Combine(dir.FullName, "benchmarks", "results");
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "results");
    }

    internal static string MachineDescription()
        => $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB";
}

internal sealed record Measurement(string Workload, string System, int Rep, Dictionary<string, double> Values, string? Error);

/// <summary>A workload: what the worker is told to do, and how long it may take.</summary>
internal sealed record Workload(string Id, string Title, string Kind, string[] Args, TimeSpan Timeout, bool JobSchedulerOnly = false)
{
    public static IEnumerable<Workload> All(bool quick)
    {
        var w1 = quick ? 5 : 30;
        var w2 = quick ? 5 : 20;
        var w3 = quick ? 5 : 30;

        // W1 and W2 measure a system that has settled: the first seconds of a process are JIT compilation (tiering), thread
        // pool growth and heap growth, which cost every system, and JobScheduler more than a bare loop (more code to tier).
        var warmUp1 = quick ? 2 : 5;
        var warmUp2 = quick ? 2 : 10;
        yield return new("W1", $"W1 precision: 10 jobs every second, {w1} s after {warmUp1} s of warm-up", "precision", ["--jobs", "10", "--seconds", $"{w1}", "--warmup", $"{warmUp1}"], TimeSpan.FromSeconds(w1 + warmUp1 + 90));
        yield return new("W2", $"W2 scale: 10,000 jobs every second, {w2} s after {warmUp2} s of warm-up", "scale", ["--jobs", "10000", "--seconds", $"{w2}", "--warmup", $"{warmUp2}"], TimeSpan.FromSeconds(w2 + warmUp2 + 120));
        yield return new("W3a", $"W3 idle: 1,000 hourly jobs, {w3} s", "idle", ["--jobs", "1000", "--seconds", $"{w3}"], TimeSpan.FromSeconds(w3 + 90));
        yield return new("W3b", $"W3 idle: 10,000 hourly jobs, {w3} s", "idle", ["--jobs", "10000", "--seconds", $"{w3}"], TimeSpan.FromSeconds(w3 + 120));
        yield return new("W4", "W4 start-up: 1,000 jobs", "startup", ["--jobs", "1000"], TimeSpan.FromSeconds(90));
        yield return new("W5", $"W5 fake clock: {(quick ? 3 : 30)} days of an every-minute job", "fakeclock", ["--days", quick ? "3" : "30"], TimeSpan.FromSeconds(120), JobSchedulerOnly: true);
    }
}
