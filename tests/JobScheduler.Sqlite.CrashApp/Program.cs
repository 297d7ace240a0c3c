// Usage: dotnet JobScheduler.Sqlite.CrashApp.dll <database path>
// Starts a scheduler on the SQLite file whose one job runs at start-up and then waits (on the real clock) until the
// process is killed. JobScheduler.Sqlite.Tests kills it with SIGKILL mid-run and checks the recovery.
using JobScheduler;
using JobScheduler.Sqlite.CrashApp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args.Length != 1)
{
    await Console.Error.WriteLineAsync("usage: JobScheduler.Sqlite.CrashApp <database path>");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddJobScheduler()
    .AddJob<SlowJob>(job => job.WithName(SlowJob.Name).RunOnStartup())
    .Configure(o => o.InstanceId = "crash-test")
    .UseSqliteStore($"Data Source={args[0]}");

// A guard so an orphaned child never outlives its test run for long: the test kills it within seconds.
using var lifetime = new CancellationTokenSource(TimeSpan.FromMinutes(2));
await builder.Build().RunAsync(lifetime.Token);
return 0;
