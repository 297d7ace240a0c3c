using System.Globalization;
using System.Text;

namespace JobScheduler.Benchmarks.Peers;

/// <summary>Turns the measurements into one markdown table (median [min–max], ratio to the floor) and an SVG chart.</summary>
internal static class PeerReport
{
    private static readonly (string Workload, string Key, string Label, string Format)[] Rows =
    [
        ("W1", "p50", "W1 lateness p50 (ms)", "0.0"),
        ("W1", "p99", "W1 lateness p99 (ms)", "0.0"),
        ("W1", "max", "W1 lateness max (ms)", "0.0"),
        ("W1", "min", "W1 earliest start (ms; < 0 = early)", "0.00"),
        ("W1", "missed", "W1 missed occurrences", "0"),
        ("W1", "doubled", "W1 doubled occurrences", "0"),
        ("W2", "runs", "W2 runs done", "0"),
        ("W2", "expected", "W2 runs expected", "0"),
        ("W2", "missed", "W2 missed occurrences", "0"),
        ("W2", "doubled", "W2 doubled occurrences", "0"),
        ("W2", "p50", "W2 lateness p50 (ms)", "0.0"),
        ("W2", "p99", "W2 lateness p99 (ms)", "0.0"),
        ("W2", "min", "W2 earliest start (ms; < 0 = early)", "0.00"),
        ("W2", "cpuPer1000", "W2 CPU per 1,000 runs (ms)", "0.00"),
        ("W2", "allocPerRunB", "W2 allocated per run, whole process (B)", "0"),
        ("W2", "peakWsMb", "W2 peak working set (MB)", "0"),
        ("W2", "gcPauseMs", "W2 GC pauses in window (ms)", "0"),
        ("W2", "gen0", "W2 garbage collections in window (all generations)", "0"),
        ("W3a", "cpuMs", "W3 idle 1,000 jobs: CPU in window (ms)", "0"),
        ("W3a", "wsMb", "W3 idle 1,000 jobs: working set (MB)", "0"),
        ("W3b", "cpuMs", "W3 idle 10,000 jobs: CPU in window (ms)", "0"),
        ("W3b", "wsMb", "W3 idle 10,000 jobs: working set (MB)", "0"),
        ("W4", "startupMs", "W4 start-up, 1,000 jobs: host start to all scheduled (ms)", "0"),
        ("W4", "withSetupMs", "W4 start-up including host build and registration (ms)", "0"),
        ("W4", "jitMs", "W4 JIT compilation inside the start-up (ms, all threads)", "0"),
        ("W4", "jitMethods", "W4 methods JIT-compiled inside the start-up", "0"),
        ("W5", "wallMs", "W5 fake clock, every-minute job (wall ms)", "0"),
        ("W5", "runs", "W5 runs", "0"),
    ];

    private static readonly Dictionary<string, string> DisplayNames = new()
    {
        ["floor"] = "Floor (Task.Delay per job)",
        ["jobscheduler"] = "JobScheduler",
        ["quartz"] = "Quartz.NET 3.20 (RAMJobStore)",
        ["coravel"] = "Coravel 6.0.2",
        ["hangfire"] = "Hangfire 1.8.25 (InMemory)",
    };

    public static string Markdown(List<Measurement> results, List<Workload> workloads, string[] systems, bool quick, int reps, string svgName)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Peer run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({(quick ? "quick" : "full")} mode, {reps} repetition(s))");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine: {PeerRunner.MachineDescription()}.");
        sb.AppendLine("Each cell: median over repetitions, [min–max] when they differ, and ×ratio to the floor's median. Each (system, workload, repetition) ran in its own process; systems interleaved, order rotated per repetition.");
        sb.AppendLine();
        foreach (var w in workloads)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- **{w.Id}**: {w.Title}");
        }

        sb.AppendLine();
        sb.Append("| Metric |");
        foreach (var s in systems)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {DisplayNames.GetValueOrDefault(s, s)} |");
        }

        sb.AppendLine();
        sb.Append("|---|");
        sb.Append(string.Concat(Enumerable.Repeat("---:|", systems.Length)));
        sb.AppendLine();
        foreach (var (workload, key, label, format) in Rows)
        {
            if (!workloads.Any(w => w.Id == workload))
            {
                continue;
            }

            var floor = Values(results, workload, "floor", key);
            var floorMedian = floor.Count > 0 ? Median(floor) : (double?)null;
            sb.Append(CultureInfo.InvariantCulture, $"| {label} |");
            foreach (var s in systems)
            {
                var values = Values(results, workload, s, key);
                var errors = results.Where(m => m.Workload == workload && m.System == s && m.Error is not null).ToList();
                if (values.Count == 0)
                {
                    sb.Append(errors.Count > 0 ? $" failed: {Escape(errors[0].Error!)} |" : " – |");
                    continue;
                }

                var median = Median(values);
                var cell = median.ToString(format, CultureInfo.InvariantCulture);
                if (values.Count > 1 && values.Min() != values.Max())
                {
                    cell += $" [{values.Min().ToString(format, CultureInfo.InvariantCulture)}–{values.Max().ToString(format, CultureInfo.InvariantCulture)}]";
                }

                if (s != "floor" && floorMedian is > 0 && key is not ("expected" or "min"))
                {
                    cell += $" ×{(median / floorMedian.Value).ToString("0.0#", CultureInfo.InvariantCulture)}";
                }

                if (errors.Count > 0)
                {
                    cell += $" ({errors.Count} failed)";
                }

                sb.Append(CultureInfo.InvariantCulture, $" {cell} |");
            }

            sb.AppendLine();
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"![Lateness per system]({svgName})");
        return sb.ToString();
    }

    /// <summary>Horizontal bars of lateness p50/p99/max per system for W1 and W2, on a log scale (0.1 ms to 100 s).</summary>
    public static string Svg(List<Measurement> results, string[] systems)
    {
        const int Left = 230, Width = 560, BarHeight = 11, Top = 70;
        const double MinMs = 0.1, MaxMs = 100_000;
        var panels = new[] { ("W1", "W1: 10 jobs every second"), ("W2", "W2: 10,000 jobs every second") };
        var metrics = new[] { ("p50", "#4e79a7"), ("p99", "#f28e2b"), ("max", "#e15759") };
        var groupHeight = (metrics.Length * BarHeight) + 10;
        var panelHeight = (systems.Length * groupHeight) + 40;
        var height = Top + (panels.Length * panelHeight) + 30;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Left + Width + 80}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Firing lateness (start − occurrence), median of repetitions, log scale</text>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"38\" fill=\"#555\">{Escape(PeerRunner.MachineDescription())}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC</text>");
        var lx = Left;
        foreach (var (name, color) in metrics)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"48\" width=\"12\" height=\"10\" fill=\"{color}\"/><text x=\"{lx + 16}\" y=\"57\">{name}</text>");
            lx += 60;
        }

        double X(double ms) => Left + (Width * (Math.Log10(Math.Clamp(ms, MinMs, MaxMs)) - Math.Log10(MinMs)) / (Math.Log10(MaxMs) - Math.Log10(MinMs)));
        var y = Top;
        foreach (var (panel, title) in panels)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"{y + 12}\" font-weight=\"bold\">{title}</text>");
            var axisTop = y + 20;
            for (var decade = MinMs; decade <= MaxMs; decade *= 10)
            {
                var x = X(decade);
                sb.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{axisTop}\" x2=\"{x:0.#}\" y2=\"{axisTop + (systems.Length * groupHeight)}\" stroke=\"#ddd\"/>");
                sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{axisTop + (systems.Length * groupHeight) + 12}\" text-anchor=\"middle\" fill=\"#555\">{FormatMs(decade)}</text>");
            }

            var gy = axisTop;
            foreach (var s in systems)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{gy + (metrics.Length * BarHeight / 2) + 4}\" text-anchor=\"end\">{Escape(DisplayNames.GetValueOrDefault(s, s))}</text>");
                var by = gy;
                foreach (var (name, color) in metrics)
                {
                    var values = Values(results, panel, s, name);
                    if (values.Count > 0)
                    {
                        var v = Median(values);
                        var x = X(v);
                        sb.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{by}\" width=\"{Math.Max(1, x - Left):0.#}\" height=\"{BarHeight - 1}\" fill=\"{color}\"><title>{s} {panel} {name}: {v:0.00} ms</title></rect>");
                        sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x + 4:0.#}\" y=\"{by + BarHeight - 2}\" font-size=\"9\">{v.ToString("0.0", CultureInfo.InvariantCulture)} ms</text>");
                    }
                    else
                    {
                        sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left + 4}\" y=\"{by + BarHeight - 2}\" font-size=\"9\" fill=\"#999\">{name}: no runs</text>");
                    }

                    by += BarHeight;
                }

                gy += groupHeight;
            }

            y += panelHeight;
        }

        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string FormatMs(double ms) => ms >= 1000 ? $"{ms / 1000:0} s" : $"{ms.ToString("0.#", CultureInfo.InvariantCulture)} ms";

    private static List<double> Values(List<Measurement> results, string workload, string system, string key)
        => [.. results.Where(m => m.Workload == workload && m.System == system && m.Error is null && m.Values.ContainsKey(key)).Select(m => m.Values[key])];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
