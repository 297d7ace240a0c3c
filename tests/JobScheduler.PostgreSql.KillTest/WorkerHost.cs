using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>
/// One cluster instance: the scheduler on the shared PostgreSQL store with clustering on, running every job of
/// <see cref="KillTestJobs"/> every second. Prints <c>READY</c> once the host has started; stops cleanly on SIGTERM,
/// Ctrl+C or (when the orchestrator asks for it) the end of standard input.
/// </summary>
internal static class WorkerHost
{
    public const string ReadyLine = "READY";

    public static async Task<int> RunAsync(WorkerSettings settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(settings.LogLevel);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(settings.ConnectionString));

        var scheduler = builder.Services.AddJobScheduler()
            .Configure(o => o.InstanceId = settings.InstanceId)
            .UsePostgreSqlStore(settings.ConnectionString, KillTestDatabase.SchedulerSchema)
            .UseClustering(o =>
            {
                o.HeartbeatInterval = settings.HeartbeatInterval;
                o.InstanceTimeout = settings.InstanceTimeout;
                o.MaxTakeovers = KillTestJobs.MaxTakeovers;
            });
        foreach (var (name, misfire) in KillTestJobs.All(settings.Jobs))
        {
            scheduler.AddJob<RecordingJob>(KillTestJobs.Cron, job => job.WithName(name).WithMisfire(misfire).WithOverlap(settings.Overlap));
        }

        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            Console.Out.WriteLine($"{ReadyLine} {settings.InstanceId} {Environment.ProcessId}");
            Console.Out.Flush();
        });
        if (settings.StopOnStdinClose)
        {
            // The orchestrator closes our standard input to stop us; it also closes when the orchestrator dies, so an
            // orphaned worker never outlives its run.
            _ = Task.Run(async () =>
            {
                while (await Console.In.ReadLineAsync() is not null)
                {
                }

                lifetime.StopApplication();
            });
        }

        await host.RunAsync();
        return 0;
    }
}
