// Consumer smoke test of the packages, run by eng/package-smoke.sh: a real host on the real clock records one run of
// an every-second job, then JobScheduler.Testing drives the same kind of job on a fake clock. Exit code 0 = pass.
using System.Diagnostics;
using JobScheduler;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// 1. JobScheduler: attribute discovery, the engine on the real clock, the default in-memory store.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddJobScheduler()
    .AddJobsFromAssemblyContaining<Program>();

using var host = builder.Build();
await host.StartAsync();
var store = host.Services.GetRequiredService<IJobSessionStore>();

// End-to-end smoke of real timing: the job is due within a second; give up after 20 s.
var waited = Stopwatch.StartNew();
JobSession? recorded = null;
while (recorded is null && waited.Elapsed < TimeSpan.FromSeconds(20))
{
    await Task.Delay(TimeSpan.FromMilliseconds(100));
    var sessions = await store.GetSessionsByJobAsync(TickJob.Name);
    recorded = sessions.FirstOrDefault(s => s.Status == JobSessionStatus.Succeeded);
}

await host.StopAsync();
if (recorded is null)
{
    Console.Error.WriteLine($"FAIL: no succeeded session of '{TickJob.Name}' within {waited.Elapsed.TotalSeconds:0.0} s.");
    return 1;
}

Console.WriteLine(
    $"JobScheduler: session {recorded.Id} of '{recorded.JobName}' {recorded.Status}, trigger {recorded.Trigger}, " +
    $"scheduled {recorded.ScheduledAt:O}, started {recorded.StartedAt:O}, took {recorded.Duration?.TotalMilliseconds:0.###} ms " +
    $"(seen after {waited.Elapsed.TotalSeconds:0.0} s)");

// 2. JobScheduler.Testing: the fake-clock host from its package.
await using var testHost = await JobSchedulerTestHost.StartAsync(services =>
    services.AddJobScheduler().AddJob<FakeClockJob>("* * * * * *", job => job.WithName("fake-clock")));
await testHost.AdvanceAsync(TimeSpan.FromSeconds(10));
var fakeSessions = await testHost.GetSessionsAsync("fake-clock");
var succeeded = fakeSessions.Count(s => s.Status == JobSessionStatus.Succeeded);
if (succeeded == 0)
{
    Console.Error.WriteLine($"FAIL: JobSchedulerTestHost advanced 10 s and recorded {fakeSessions.Count} sessions, none succeeded.");
    return 1;
}

Console.WriteLine($"JobScheduler.Testing: 10 s on the fake clock recorded {succeeded} succeeded sessions of 'fake-clock'.");
Console.WriteLine("package smoke: OK");
return 0;

/// <summary>Found by <c>AddJobsFromAssemblyContaining</c>: runs every second.</summary>
[CronJob("* * * * * *", Name = Name)]
public sealed class TickJob : IJob
{
    public const string Name = "smoke-tick";

    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        context.Metadata["from"] = "package-smoke";
        return Task.CompletedTask;
    }
}

/// <summary>No schedule attribute, so only the fake-clock host registers it.</summary>
public sealed class FakeClockJob : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
