using System.Diagnostics;
using System.Reflection;
using System.Text;
using Xunit.Abstractions;

namespace JobScheduler.AspNetCore.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core through
/// e2e/dashboard.mjs. eng/test.sh installs both (eng/install-browser-deps.sh); without them this test fails.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    private static string E2eDirectory => typeof(DashboardBrowserTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "E2eDirectory").Value!;

    [Fact]
    public async Task Dashboard_InHeadlessChromium_TriggerShowsTheNewSession()
    {
        var (node, chromium) = FindPrerequisites();
        await using var app = await TestApp.StartAsync(
            jobs => jobs
                .AddJob<ShortRealTimeJob>(job => job.WithName("fast-job"))
                .AddJob<QuickJob>("0 2 * * *", job => job.WithName("nightly-report").InTimeZone("Europe/Berlin"))
                .AddJob<FailingJob>("*/15 * * * *", job => job.WithName("import-feed").RunOnStartup())
                .AddJob<QuickJob>("0 3 * * 0", job => job.WithName("weekly-cleanup"))
                .AddJob<QuickJob>("0 * * * *", job => job.WithName("legacy-sync")),
            configuration: new Dictionary<string, string?> { ["JobScheduler:Jobs:legacy-sync:Enabled"] = "false" },
            fakeClock: false);
        app.Scheduler.Pause("weekly-cleanup");
        var url = new Uri(app.LocalAddress, "/jobs").ToString();
        // One file, replaced by every run, so a person can look at the latest.
        var screenshot = Path.Combine(Path.GetTempPath(), "jobscheduler-dashboard.png");
        File.Delete(screenshot);

        var (exitCode, text) = await RunAsync(node, E2eDirectory, ["dashboard.mjs", url, "fast-job"], new()
        {
            ["CHROMIUM_PATH"] = chromium,
            ["SCREENSHOT_PATH"] = screenshot,
        });
        output.WriteLine(text);

        Assert.True(exitCode == 0, $"node dashboard.mjs exited with {exitCode}:{Environment.NewLine}{text}");
        Assert.Contains("e2e: jobs table: 5 jobs, fast-job in UTC", text);
        Assert.Contains("e2e: new session row", text);
        Assert.Contains("e2e: error details: \"System.InvalidOperationException: The upstream feed answered 503 Service Unavailable.\"", text);
        Assert.Contains("e2e: PASS", text);
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"The screenshot {screenshot} is missing or empty.");

        var sessions = await app.Store.QueryAsync(new JobSessionQuery { JobName = "fast-job" }, CancellationToken.None);
        var session = Assert.Single(sessions);
        Assert.Equal(JobTrigger.Manual, session.Trigger);
        Assert.Contains(session.Id.ToString(), text);
    }

    /// <summary>Node on PATH, Chromium and the e2e folder's node_modules; fails (never skips) naming the fix.</summary>
    private static (string Node, string Chromium) FindPrerequisites()
    {
        const string Fix = "Run eng/test.sh, which installs them through eng/install-browser-deps.sh "
            + "(apt-get install chromium; npm ci in tests/JobScheduler.AspNetCore.Tests/e2e), or run that script alone.";
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        var node = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "node"))
            .FirstOrDefault(File.Exists);

        var missing = new List<string>();
        if (node is null)
        {
            missing.Add("Node.js (node on PATH)");
        }

        if (!File.Exists(chromium))
        {
            missing.Add($"Chromium at {chromium}");
        }

        if (!File.Exists(Path.Combine(E2eDirectory, "node_modules", "playwright-core", "package.json")))
        {
            missing.Add($"playwright-core in {Path.Combine(E2eDirectory, "node_modules")}");
        }

        Assert.True(missing.Count == 0, $"The dashboard browser test needs {string.Join(", ", missing)}. {Fix}");
        return (node!, chromium);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, string workingDirectory, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (text)
            {
                text.Append("(killed after ").Append(ScriptTimeout.TotalSeconds).AppendLine(" s)");
            }
        }

        process.WaitForExit(); // drains the redirected streams
        lock (text)
        {
            return (process.ExitCode, text.ToString());
        }
    }
}
