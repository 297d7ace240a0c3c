using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using JobScheduler.Tests.Shared;
using Xunit.Abstractions;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>
/// The kill test (tests/JobScheduler.PostgreSql.KillTest) in its short form: three worker processes in cluster mode on
/// one database of the shared server, one SIGKILLed and restarted every few seconds. Real processes and real time: this
/// is the one test of the suite that takes most of a minute. The long form is run by hand (see that program's header).
/// Each kill picks a worker that is running a RunOnce job but no catch-up run (<c>--victims busy</c>): one instance tends
/// to win most claims of a given second, so a blind pick is often idle and a run this short might otherwise see no
/// takeover; and a catch-up run is run again only once, so killing it too is left to the long form.
/// </summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class ClusterKillTests(PostgreSqlServerFixture server, ITestOutputHelper output)
{
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task WorkersKilledAtRandom_NoOccurrenceRunsTwiceWithoutAKill_AndNoRunOnceOccurrenceIsLost()
    {
        var database = await server.CreateDatabaseAsync(durableCommits: true);
        var folder = Directory.CreateTempSubdirectory("jobscheduler-killtest-");
        try
        {
            var json = ReportPath(folder);
            var (exitCode, log) = await RunKillTestAsync(
                "--connection", database, "--seconds", "40", "--workers", "3", "--jobs", "10", "--kill-every", "6",
                "--victims", "busy", "--seed", "6", "--json", json, "--logs", Path.Combine(folder.FullName, "logs"));
            output.WriteLine(log);

            Assert.True(File.Exists(json), $"The kill test wrote no report (exit code {exitCode}):\n{log}");
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = report.RootElement;
            long Count(string name) => root.GetProperty(name).GetInt64();

            Assert.True(Count("Expected") > 0);
            Assert.Equal(0, Count("DuplicatedWithoutKill"));
            Assert.Equal(Count("LostRunOnceTakeoversUsedUp"), Count("LostRunOnce")); // only the documented limit: every takeover run was killed too
            Assert.True(Count("KillsDone") >= 1, "No worker was killed.");
            Assert.True(Count("Takeovers") >= 1, "No kill interrupted a RunOnce run that was then run again.");
            Assert.Equal(0, exitCode);
        }
        finally
        {
            try
            {
                folder.Delete(recursive: true);
                File.Delete(ReportPath(folder));
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunKillTestAsync(params string[] arguments)
    {
        var app = typeof(ClusterKillTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "KillTestPath").Value!;
        Assert.True(File.Exists(app), $"The kill test is built with the tests; not found at {app}.");

        var start = new ProcessStartInfo(DotnetHost.Find())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(app);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var limit = new CancellationTokenSource(ProcessLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (log)
            {
                Assert.Fail($"The kill test did not finish within {ProcessLimit}:\n{log}");
            }
        }

        process.WaitForExit(); // flushes the redirected output
        lock (log)
        {
            return (process.ExitCode, log.ToString());
        }
    }

    // Beside the temp folder rather than in it, and deleted with it.
    private static string ReportPath(DirectoryInfo folder) => folder.FullName + ".report.json";
}
