using System.Diagnostics;
using System.Reflection;
using System.Text;
using JobScheduler.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JobScheduler.Sqlite.Tests;

/// <summary>
/// Kills a real process (SIGKILL, no shutdown code runs) while its job is running, then starts a scheduler on the same
/// file with the same instance id. Real time is used here: this is a process test, bounded at 30 s per wait.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const string InstanceId = "crash-test";
    private static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(30);

    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task ProcessKilledMidRun_NextStartMarksItsRunningSessionAbandoned()
    {
        Guid runningId;
        using (var child = StartCrashApp(_database.Path, out var output))
        {
            try
            {
                runningId = await WaitForRunningSessionAsync(child, output);
            }
            finally
            {
                child.Kill(); // SIGKILL on Linux: nothing in the child gets to record an end
                await child.WaitForExitAsync().WaitAsync(RealTimeLimit);
            }
        }

        Assert.Equal(1, _database.Count("SELECT count(*) FROM sessions WHERE status = 0")); // still Running on disk

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddJobScheduler().Configure(o => o.InstanceId = InstanceId).UseSqliteStore(_database.ConnectionString);
        using (var host = builder.Build())
        {
            await host.StartAsync().WaitAsync(RealTimeLimit);
            await host.StopAsync().WaitAsync(RealTimeLimit);
        }

        // Read back through a fresh store: the recovery reached the file, not only a cache.
        await using var store = _database.CreateStore();
        var session = Assert.Single(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
        Assert.Equal(runningId, session.Id);
        Assert.Equal(JobSessionStatus.Abandoned, session.Status);
        Assert.Equal("slow", session.JobName);
        Assert.Equal(InstanceId, session.InstanceId);
        Assert.NotNull(session.EndedAt);
        Assert.Contains(InstanceId, session.Error, StringComparison.Ordinal);
        Assert.Contains("Running", session.Error, StringComparison.Ordinal);
        Assert.Empty(await store.GetRunningSessionsAsync());
    }

    private static Process StartCrashApp(string databasePath, out StringBuilder output)
    {
        var app = typeof(CrashRecoveryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CrashAppPath").Value!;
        Assert.True(File.Exists(app), $"The crash app is built with the tests; not found at {app}.");

        var start = new ProcessStartInfo(DotnetHost.Find())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(app);
        start.ArgumentList.Add(databasePath);

        var log = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = log;
        return process;
    }

    private async Task<Guid> WaitForRunningSessionAsync(Process child, StringBuilder output)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (TryReadRunningSession() is { } id)
            {
                return id;
            }

            if (child.HasExited)
            {
                Assert.Fail($"The crash app exited with code {child.ExitCode} before its job ran:\n{Snapshot(output)}");
            }

            if (deadline.Elapsed > RealTimeLimit)
            {
                Assert.Fail($"No Running session within {RealTimeLimit}:\n{Snapshot(output)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private Guid? TryReadRunningSession()
    {
        if (!File.Exists(_database.Path))
        {
            return null;
        }

        try
        {
            using var connection = _database.Open(SqliteOpenMode.ReadOnly);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id FROM sessions WHERE status = 0 AND instance_id = $instance";
            command.Parameters.AddWithValue("$instance", InstanceId);
            return command.ExecuteScalar() is string id ? Guid.Parse(id) : null;
        }
        catch (SqliteException)
        {
            return null; // the child is still creating the file or its schema
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
