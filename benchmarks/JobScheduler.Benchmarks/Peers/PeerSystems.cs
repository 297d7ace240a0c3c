using Coravel;
using Cronos;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;
using CronExpression = Cronos.CronExpression;

using Quartz.Impl;

namespace JobScheduler.Benchmarks.Peers;

/// <summary>One scheduling system under test, set up with its defaults and <c>jobs</c> identical jobs.</summary>
internal abstract class PeerSystem : IAsyncDisposable
{
    public static readonly string[] Names = ["floor", "jobscheduler", "quartz", "coravel", "hangfire"];

    public static PeerSystem Create(string name) => name switch
    {
        "floor" => new FloorSystem(),
        "jobscheduler" => new JobSchedulerSystem(),
        "quartz" => new QuartzSystem(),
        "coravel" => new CoravelSystem(),
        "hangfire" => new HangfireSystem(),
        _ => throw new ArgumentException($"Unknown system '{name}'. Known: {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// Registers <paramref name="jobs"/> jobs, every second (<paramref name="hourlyAtMinute"/> null) or hourly at that
    /// minute, starts the system, and returns once every job is scheduled.
    /// </summary>
    public abstract Task StartAsync(int jobs, int? hourlyAtMinute);

    public abstract ValueTask DisposeAsync();

    /// <summary>Gets the Stopwatch timestamp at which the system was started (W4): host built, StartAsync (or its equivalent) called.</summary>
    public long StartedTimestamp { get; private set; }

    /// <summary>Gets the JIT's counters at <see cref="StartedTimestamp"/>.</summary>
    public JitCounts StartedJit { get; private set; }

    protected void MarkStart()
    {
        StartedJit = JitCounts.Read();
        StartedTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    }
}

/// <summary>The floor: a hand-written BackgroundService per job, Cronos + Task.Delay, next computed from the previous due time.</summary>
internal sealed class FloorSystem : PeerSystem
{
    private IHost? _host;

    public override async Task StartAsync(int jobs, int? hourlyAtMinute)
    {
        var cron = hourlyAtMinute is { } m
            ? CronExpression.Parse($"{m} * * * *")
            : CronExpression.Parse("* * * * * *", CronFormat.IncludeSeconds);
        using var armed = new CountdownEvent(jobs);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        for (var i = 0; i < jobs; i++)
        {
            var index = i;
            builder.Services.AddSingleton<IHostedService>(_ => new FloorService(index, cron, armed));
        }

        _host = builder.Build();
        MarkStart();
        await _host.StartAsync().ConfigureAwait(false);
        armed.Wait(); // ExecuteAsync runs on the thread pool: scheduled once each loop has armed its first delay
    }

    public override async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync().ConfigureAwait(false);
            _host.Dispose();
        }
    }

    private sealed class FloorService(int index, CronExpression cron, CountdownEvent armed) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var due = cron.GetNextOccurrence(DateTime.UtcNow)!.Value;
            var first = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = due - DateTime.UtcNow;
                var wait = Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, stoppingToken);
                if (first)
                {
                    first = false;
                    armed.Signal();
                }

                try
                {
                    await wait.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                RunLog.Hit(index, due.Ticks);
                due = cron.GetNextOccurrence(due)!.Value;
            }
        }
    }
}

/// <summary>JobScheduler with its defaults: in-memory session store, every job registered through AddJob.</summary>
internal sealed class JobSchedulerSystem : PeerSystem
{
    private IHost? _host;
    private TimingTimeProvider? _timing;

    public override async Task StartAsync(int jobs, int? hourlyAtMinute)
    {
        var cron = hourlyAtMinute is { } m ? $"{m} * * * *" : "* * * * * *";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        if (Environment.GetEnvironmentVariable("BENCH_TIMER_STATS") == "1")
        {
            _timing = new TimingTimeProvider();
            builder.Services.AddSingleton<TimeProvider>(_timing);
        }

        var scheduler = builder.Services.AddJobScheduler();
        for (var i = 0; i < jobs; i++)
        {
            var name = $"job-{i}";
            scheduler.AddJob<PeerJob>(cron, job => job.WithName(name));
        }

        _host = builder.Build();
        MarkStart();
        await _host.StartAsync().ConfigureAwait(false); // every job's first occurrence is queued when this returns
    }

    public override async ValueTask DisposeAsync()
    {
        _timing?.Report();
        if (_host is not null)
        {
            await _host.StopAsync().ConfigureAwait(false);
            _host.Dispose();
        }
    }

    internal sealed class PeerJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            RunLog.Hit(int.Parse(context.JobName.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture), context.ScheduledAt.UtcTicks);
            return Task.CompletedTask;
        }
    }
}

/// <summary>Quartz.NET with its defaults: RAMJobStore, default thread pool (10), one cron trigger per job.</summary>
internal sealed class QuartzSystem : PeerSystem
{
    private IScheduler? _scheduler;

    public override async Task StartAsync(int jobs, int? hourlyAtMinute)
    {
        var cron = hourlyAtMinute is { } m ? $"0 {m} * * * ?" : "* * * * * ?";
        MarkStart();
        _scheduler = await new StdSchedulerFactory().GetScheduler().ConfigureAwait(false);
        await _scheduler.Start().ConfigureAwait(false);
        for (var i = 0; i < jobs; i++)
        {
            var job = Quartz.JobBuilder.Create<QuartzJob>().WithIdentity($"job-{i}").UsingJobData("i", i).Build();
            var trigger = TriggerBuilder.Create().WithIdentity($"trigger-{i}").WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc)).Build();
            await _scheduler.ScheduleJob(job, trigger).ConfigureAwait(false);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_scheduler is not null)
        {
            await _scheduler.Shutdown(waitForJobsToComplete: true).ConfigureAwait(false);
        }
    }

    internal sealed class QuartzJob : Quartz.IJob
    {
        public Task Execute(IJobExecutionContext context)
        {
            RunLog.Hit(context.MergedJobDataMap.GetInt("i"), context.ScheduledFireTimeUtc?.UtcTicks ?? 0);
            return Task.CompletedTask;
        }
    }
}

/// <summary>Coravel with its defaults: AddScheduler, one scheduled action per job.</summary>
internal sealed class CoravelSystem : PeerSystem
{
    private IHost? _host;

    public override async Task StartAsync(int jobs, int? hourlyAtMinute)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddScheduler();
        _host = builder.Build();
        MarkStart();
        _host.Services.UseScheduler(scheduler =>
        {
            for (var i = 0; i < jobs; i++)
            {
                var index = i;
                var task = scheduler.Schedule(() => RunLog.Hit(index, 0)); // Coravel does not expose the occurrence
                if (hourlyAtMinute is { } m)
                {
                    task.Cron($"{m} * * * *");
                }
                else
                {
                    task.EverySecond();
                }
            }
        });
        await _host.StartAsync().ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync().ConfigureAwait(false);
            _host.Dispose();
        }
    }
}

/// <summary>Hangfire with Hangfire.InMemory storage and default BackgroundJobServer options; one recurring job per job.</summary>
internal sealed class HangfireSystem : PeerSystem
{
    private BackgroundJobServer? _server;

    public override Task StartAsync(int jobs, int? hourlyAtMinute)
    {
        var cron = hourlyAtMinute is { } m ? $"{m} * * * *" : "* * * * * *";
        MarkStart();
        GlobalConfiguration.Configuration.UseInMemoryStorage();
        _server = new BackgroundJobServer();
        var manager = new RecurringJobManager();
        for (var i = 0; i < jobs; i++)
        {
            var index = i;
            manager.AddOrUpdate($"job-{index}", Hangfire.Common.Job.FromExpression(() => Hit(index, null)), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }

        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _server?.SendStop();
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The job method; Hangfire fills <paramref name="context"/>. Its "Time" parameter, when set, is the occurrence (Unix seconds).</summary>
    public static void Hit(int job, PerformContext? context)
    {
        var now = BenchClock.NowTicks;
        long occurrence = 0;
        try
        {
            if (context?.GetJobParameter<long?>("Time") is { } seconds and > 0)
            {
                occurrence = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks;
            }
        }
        catch (Exception)
        {
            occurrence = 0;
        }

        RunLog.Hit(job, occurrence, now);
    }
}
