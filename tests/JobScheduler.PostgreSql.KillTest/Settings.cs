using System.Globalization;
using Microsoft.Extensions.Logging;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>What every worker is started with; the orchestrator passes it on the command line.</summary>
internal sealed record WorkerSettings
{
    public required string ConnectionString { get; init; }

    public required string InstanceId { get; init; }

    public int Jobs { get; init; } = 10;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan InstanceTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How long one run of a job lasts in total; the results row is written at a random point inside it.</summary>
    public TimeSpan JobDuration { get; init; } = TimeSpan.FromMilliseconds(800);

    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Allow;

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>Whether the end of standard input stops the host (the orchestrator's graceful stop).</summary>
    public bool StopOnStdinClose { get; init; }

    public static WorkerSettings Parse(IReadOnlyList<string> args)
    {
        var line = new CommandLine(args);
        var settings = new WorkerSettings
        {
            ConnectionString = line.String("connection") ?? throw new ArgumentException("worker: --connection is required."),
            InstanceId = line.String("instance") ?? throw new ArgumentException("worker: --instance is required."),
            Jobs = line.Int("jobs", 10, 1, 1000),
            HeartbeatInterval = TimeSpan.FromMilliseconds(line.Int("heartbeat-ms", 1000, 100, 3_600_000)),
            InstanceTimeout = TimeSpan.FromMilliseconds(line.Int("timeout-ms", 4000, 200, 86_400_000)),
            JobDuration = TimeSpan.FromMilliseconds(line.Int("job-ms", 800, 0, 60_000)),
            Overlap = line.Enum("overlap", OverlapPolicy.Allow),
            LogLevel = line.Enum("log-level", LogLevel.Warning),
            StopOnStdinClose = line.String("stdin-stop") is "true",
        };
        line.EnsureAllRead();
        return settings;
    }

    /// <summary>The command-line arguments that <see cref="Parse"/> reads back.</summary>
    public IEnumerable<string> ToArguments()
    {
        string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return
        [
            "--connection", ConnectionString,
            "--instance", InstanceId,
            "--jobs", Jobs.ToString(CultureInfo.InvariantCulture),
            "--heartbeat-ms", Ms(HeartbeatInterval),
            "--timeout-ms", Ms(InstanceTimeout),
            "--job-ms", Ms(JobDuration),
            "--overlap", Overlap.ToString(),
            "--log-level", LogLevel.ToString(),
            "--stdin-stop", StopOnStdinClose ? "true" : "false",
        ];
    }
}

/// <summary>The orchestrator's options (see Program.cs).</summary>
internal sealed record OrchestratorSettings
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    public int Workers { get; init; } = 3;

    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between a kill and the restart (the shortest is half a second).</summary>
    public TimeSpan MaxRestartPause { get; init; } = TimeSpan.FromSeconds(6);

    public int Seed { get; init; }

    /// <summary>Which worker a kill picks: any one that is up, or one that is running a RunOnce job right now.</summary>
    public VictimChoice Victims { get; init; } = VictimChoice.Any;

    public string? ConnectionString { get; init; }

    public string? MarkdownFile { get; init; }

    public string? JsonFile { get; init; }

    public string? LogFolder { get; init; }

    /// <summary>The worker settings, without connection string and instance id.</summary>
    public required WorkerSettings Worker { get; init; }

    /// <summary>Time after the workers are ready before the checked window opens.</summary>
    public static TimeSpan WarmUp => TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time between the end of the checked window (the last kill) and the graceful stop: long enough for the instance
    /// timeout to expire and the catch-up run to start, so a kill at the end of the window can still be taken over.
    /// </summary>
    public TimeSpan Tail => Worker.InstanceTimeout + 2 * Worker.HeartbeatInterval + Worker.JobDuration + TimeSpan.FromSeconds(3);

    public static OrchestratorSettings Parse(IReadOnlyList<string> args)
    {
        var line = new CommandLine(args);
        var minutes = line.Double("minutes", 0.1, 24 * 60);
        var seconds = line.Double("seconds", 5, 24 * 3600);
        if (minutes is not null && seconds is not null)
        {
            throw new ArgumentException("Give --minutes or --seconds, not both.");
        }

        var workers = line.Int("workers", 3, 1, 64);
        var settings = new OrchestratorSettings
        {
            Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : TimeSpan.FromMinutes(minutes ?? 10),
            Workers = workers,
            KillEvery = TimeSpan.FromSeconds(line.Double("kill-every", 0.5, 3600) ?? 5),
            MaxRestartPause = TimeSpan.FromSeconds(line.Double("max-pause", 0.5, 600) ?? 6),
            Seed = line.Int("seed", Random.Shared.Next(1, 1_000_000), int.MinValue, int.MaxValue),
            Victims = line.Enum("victims", VictimChoice.Any),
            ConnectionString = line.String("connection"),
            MarkdownFile = line.String("out"),
            JsonFile = line.String("json"),
            LogFolder = line.String("logs"),
            Worker = new WorkerSettings
            {
                ConnectionString = "",
                InstanceId = "",
                Jobs = line.Int("jobs", 10, 1, 1000),
                HeartbeatInterval = TimeSpan.FromMilliseconds(line.Int("heartbeat-ms", 1000, 100, 3_600_000)),
                InstanceTimeout = TimeSpan.FromMilliseconds(line.Int("timeout-ms", 4000, 200, 86_400_000)),
                JobDuration = TimeSpan.FromMilliseconds(line.Int("job-ms", 800, 0, 60_000)),
                Overlap = line.Enum("overlap", OverlapPolicy.Allow),
                LogLevel = line.Enum("log-level", LogLevel.Warning),
                StopOnStdinClose = true,
            },
        };
        line.EnsureAllRead();

        if (settings.Window <= TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException(
                $"The run is too short: {settings.Duration.TotalSeconds:0} s leaves {settings.Window.TotalSeconds:0} s to check after " +
                $"{WarmUp.TotalSeconds:0} s of warm-up and a {settings.Tail.TotalSeconds:0} s tail (instance timeout, heartbeats, one run).");
        }

        return settings;
    }

    /// <summary>The length of the checked window, in which the kills happen.</summary>
    public TimeSpan Window => Duration - WarmUp - Tail;
}

/// <summary>How the orchestrator picks the worker to kill.</summary>
internal enum VictimChoice
{
    /// <summary>Any worker that is up, at random.</summary>
    Any,

    /// <summary>
    /// At random among the workers that are running a RunOnce job and no catch-up run (waiting up to 3 s for one, then
    /// any worker that runs no catch-up). One instance tends to win most claims of a given second, so a blind pick is often idle; this one always
    /// interrupts runs, which a short run needs to see takeovers at all. It never kills a catch-up run, which is run
    /// again only once: a short run checks the single-kill guarantee, a long run with <see cref="Any"/> the rest.
    /// </summary>
    Busy,
}

/// <summary>The every-second jobs of the test: odd numbers are <see cref="MisfirePolicy.RunOnce"/>, even ones <see cref="MisfirePolicy.Skip"/>.</summary>
internal static class KillTestJobs
{
    public const string Cron = "* * * * * *";

    /// <summary>The library's default, set explicitly so the report knows when an occurrence used up its takeovers.</summary>
    public const int MaxTakeovers = 3;

    public static IReadOnlyList<(string Name, MisfirePolicy Misfire)> All(int count)
        => [.. Enumerable.Range(1, count).Select(i => i % 2 == 1
            ? (string.Create(CultureInfo.InvariantCulture, $"once-{i:00}"), MisfirePolicy.RunOnce)
            : (string.Create(CultureInfo.InvariantCulture, $"skip-{i:00}"), MisfirePolicy.Skip))];
}

/// <summary>A run that cannot be carried out (a worker that never starts, a database that is not empty).</summary>
internal sealed class KillTestException(string message) : Exception(message);
