using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using JobScheduler.PostgreSqlServer;
using Npgsql;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>
/// Runs the kill test: a fresh database, N workers, a SIGKILL every few seconds (random, seeded) with a restart under
/// the same instance id, a graceful stop, and the report.
/// </summary>
/// <remarks>
/// Timeline: all workers ready → <see cref="OrchestratorSettings.WarmUp"/> → the checked window, in which the kills
/// happen → <see cref="OrchestratorSettings.Tail"/> without kills (the last kill's runs are taken over) → graceful stop.
/// </remarks>
internal static class Orchestrator
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan MinRestartPause = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan BusyWait = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(OrchestratorSettings settings)
    {
        // Ctrl+C or SIGTERM ends the run early but cleanly: workers stopped, throwaway server removed, no report.
        using var interrupted = new CancellationTokenSource();
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

        var random = new Random(settings.Seed);
        var parameters = string.Create(CultureInfo.InvariantCulture,
            $"{settings.Workers} workers, {settings.Worker.Jobs} every-second jobs (overlap {settings.Worker.Overlap}), {settings.Duration.TotalSeconds:0} s run, " +
            $"a kill every {settings.KillEvery.TotalSeconds:0.#} s on average ({settings.Victims} victims), restart after 0.5–{settings.MaxRestartPause.TotalSeconds:0.#} s, " +
            $"heartbeat {settings.Worker.HeartbeatInterval.TotalMilliseconds:0} ms, instance timeout {settings.Worker.InstanceTimeout.TotalMilliseconds:0} ms, " +
            $"job {settings.Worker.JobDuration.TotalMilliseconds:0} ms, seed {settings.Seed}");
        Say($"kill test: {parameters}");

        await using var server = settings.ConnectionString is null ? await ThrowawayPostgreSqlServer.StartNewAsync("jobscheduler-killtest") : null;
        var connectionString = settings.ConnectionString ?? await server!.CreateDatabaseAsync("killtest", durableCommits: true);
        if (server is not null)
        {
            Say($"throwaway PostgreSQL server on 127.0.0.1:{server.Port}, database killtest");
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var database = new KillTestDatabase(dataSource);
        var jobs = KillTestJobs.All(settings.Worker.Jobs);
        await database.CreateAsync(jobs);

        var logFolder = settings.LogFolder ?? Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"jobscheduler-killtest-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}"));
        Directory.CreateDirectory(logFolder);
        Say($"worker logs: {logFolder}");

        var workers = Enumerable.Range(1, settings.Workers)
            .Select(i => new WorkerProcess(settings.Worker with { ConnectionString = connectionString, InstanceId = string.Create(CultureInfo.InvariantCulture, $"worker-{i}") }, logFolder))
            .ToList();
        try
        {
            var report = await DriveAsync(settings, workers, database, random, interrupted.Token);
            if (report is null)
            {
                Say("interrupted: workers stopped, no report");
                return 2;
            }

            report.Parameters = parameters;
            await database.RecordProcessesAsync(workers.SelectMany(w => w.Incarnations));

            var markdown = report.ToMarkdown();
            await Console.Out.WriteLineAsync();
            await Console.Out.WriteLineAsync(markdown);
            var json = report.ToJson();
            await Console.Out.WriteLineAsync("KILLTEST-RESULT " + json);
            if (settings.MarkdownFile is { } markdownFile)
            {
                await File.WriteAllTextAsync(markdownFile, markdown);
            }

            if (settings.JsonFile is { } jsonFile)
            {
                await File.WriteAllTextAsync(jsonFile, json);
            }

            return report.Passed ? 0 : 1;
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    private static async Task<KillTestReport?> DriveAsync(
        OrchestratorSettings settings, List<WorkerProcess> workers, KillTestDatabase database, Random random, CancellationToken interrupted)
    {
        foreach (var worker in workers)
        {
            worker.Start();
        }

        var allReady = Task.WhenAll(workers.Select(w => w.Ready));
        if (await Task.WhenAny(allReady, Task.Delay(StartTimeout, interrupted)) != allReady)
        {
            if (interrupted.IsCancellationRequested)
            {
                await Task.WhenAll(workers.Select(w => w.StopAsync(StopTimeout)));
                return null;
            }


            throw new KillTestException(
                $"Not every worker reported READY within {StartTimeout.TotalSeconds:0} s: {string.Join(", ", workers.Where(w => !w.Ready.IsCompleted).Select(w => w.InstanceId))}. See the worker logs.");
        }

        var ready = DateTimeOffset.UtcNow;
        var from = CeilingSecond(ready + OrchestratorSettings.WarmUp);
        var to = from + TimeSpan.FromSeconds(Math.Floor(settings.Window.TotalSeconds));
        var stopAt = to + settings.Tail;
        Say($"all {workers.Count} workers ready; window {from:HH:mm:ss}–{to:HH:mm:ss}, kills in the window, graceful stop at {stopAt:HH:mm:ss}");

        var unexpectedExits = new List<string>();
        var restarts = new Dictionary<WorkerProcess, DateTimeOffset>();
        var nextKill = from + NextKillInterval(settings, random);
        var killsSkipped = 0;
        while (DateTimeOffset.UtcNow < stopAt && !interrupted.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var worker in workers.Where(w => w.HasExitedUnexpectedly))
            {
                var tail = worker.AcknowledgeUnexpectedExit();
                var incarnation = worker.Incarnations[^1];
                unexpectedExits.Add(string.Create(CultureInfo.InvariantCulture, $"{now:HH:mm:ss.fff} {worker.InstanceId} pid {incarnation.Pid} {incarnation.End}; last output:\n{tail}"));
                Say($"{worker.InstanceId} (pid {incarnation.Pid}) {incarnation.End} unexpectedly; restarting in 1 s");
                restarts[worker] = now + TimeSpan.FromSeconds(1);
            }

            foreach (var (worker, _) in restarts.Where(r => r.Value <= now).ToList())
            {
                restarts.Remove(worker);
                worker.Start();
                Say($"{worker.InstanceId} restarted as pid {worker.Incarnations[^1].Pid}");
            }

            if (now >= nextKill && now < to)
            {
                var up = workers.Where(w => w.IsUp).ToList();
                var candidates = up;
                if (settings.Victims == VictimChoice.Busy && up.Count >= 2)
                {
                    // Wait (up to BusyWait past the due time) for a worker that runs a RunOnce job and no catch-up.
                    var (runningRunOnce, runningCatchUp) = await database.BusyInstancesAsync();
                    candidates = [.. up.Where(w => runningRunOnce.Contains(w.InstanceId) && !runningCatchUp.Contains(w.InstanceId))];
                    if (candidates.Count == 0 && now - nextKill >= BusyWait)
                    {
                        candidates = [.. up.Where(w => !runningCatchUp.Contains(w.InstanceId))];
                    }

                    if (candidates.Count == 0 && now - nextKill < BusyWait)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
                        continue;
                    }
                }

                if (up.Count >= 2 && candidates.Count > 0)
                {
                    var victim = candidates[random.Next(candidates.Count)];
                    var pause = MinRestartPause + (settings.MaxRestartPause - MinRestartPause) * random.NextDouble();
                    var killedAt = DateTimeOffset.UtcNow;
                    var pid = victim.Kill();
                    await database.RecordKillAsync(victim.InstanceId, pid, killedAt, pause);
                    restarts[victim] = killedAt + pause;
                    Say($"SIGKILL {victim.InstanceId} (pid {pid}); restart in {pause.TotalSeconds:0.0} s");
                }
                else
                {
                    killsSkipped++;
                    Say(up.Count < 2 ? $"kill skipped: only {up.Count} worker(s) up" : "kill skipped: every worker that is up runs a catch-up");
                }

                nextKill += NextKillInterval(settings, random);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }

        Say($"graceful stop of {workers.Count} workers");
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(workers.Select(w => w.StopAsync(StopTimeout)));
        var forced = workers.SelectMany(w => w.Incarnations).Count(i => i.End?.StartsWith("did not stop", StringComparison.Ordinal) == true);
        Say($"all workers stopped in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        if (interrupted.IsCancellationRequested)
        {
            return null;
        }

        var report = await database.ReportAsync(from, to);
        report.KillsSkipped = killsSkipped;
        report.StopsForced = forced;
        report.UnexpectedExits.AddRange(unexpectedExits);
        return report;
    }

    /// <summary>Uniform between half and one and a half times the mean interval.</summary>
    private static TimeSpan NextKillInterval(OrchestratorSettings settings, Random random) => settings.KillEvery * (0.5 + random.NextDouble());

    private static DateTimeOffset CeilingSecond(DateTimeOffset time)
    {
        var whole = new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return whole == time ? whole : whole.AddSeconds(1);
    }

    private static void Say(string message)
        => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {message}"));
}
