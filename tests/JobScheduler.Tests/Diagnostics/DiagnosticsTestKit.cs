using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using JobScheduler.Diagnostics;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace JobScheduler.Tests.Diagnostics;

/// <summary>A job body: the attempt's context, the app's (fake) clock and the attempt's token.</summary>
internal delegate Task JobBody(JobContext context, TimeProvider time, CancellationToken cancellationToken);

/// <summary>Per-test job bodies by job name, shared with <see cref="DiagnosticsJob"/> through DI.</summary>
internal sealed class JobBodies
{
    private readonly ConcurrentDictionary<string, JobBody> _bodies = new(StringComparer.OrdinalIgnoreCase);

    public JobBodies On(string jobName, JobBody body)
    {
        _bodies[jobName] = body;
        return this;
    }

    public Task RunAsync(JobContext context, TimeProvider time, CancellationToken cancellationToken)
        => _bodies.TryGetValue(context.JobName, out var body) ? body(context, time, cancellationToken) : Task.CompletedTask;

    /// <summary>A body that takes <paramref name="duration"/> of fake time and honours cancellation.</summary>
    public static JobBody Takes(TimeSpan duration) => (_, time, ct) => Task.Delay(duration, time, ct);

    /// <summary>A body that throws at once.</summary>
    public static JobBody Fails(string message = "boom") => (_, _, _) => throw new InvalidOperationException(message);

    /// <summary>A body whose first <paramref name="failures"/> attempts throw and the next succeeds.</summary>
    public static JobBody FailsFirst(int failures) => (context, _, _) => context.Attempt <= failures
        ? throw new InvalidOperationException($"attempt {context.Attempt} fails")
        : Task.CompletedTask;
}

/// <summary>The job these tests schedule: it runs the body the test chose for its name.</summary>
internal sealed class DiagnosticsJob(JobBodies bodies, TimeProvider time) : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => bodies.RunAsync(context, time, cancellationToken);
}

internal static class DiagnosticsHost
{
    /// <summary>The fake clock starts at 09:00 on Thursday 2026-01-01 (UTC).</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A job name no other test uses: spans come from one static ActivitySource, and test classes run in parallel.
    /// </summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static Task<JobSchedulerTestHost> StartAsync(
        JobBodies bodies,
        Action<IJobSchedulerBuilder> jobs,
        Action<IServiceCollection>? services = null,
        DateTimeOffset? start = null)
        => JobSchedulerTestHost.StartAsync(
            s =>
            {
                s.AddMetrics();
                s.AddSingleton(bodies);
                services?.Invoke(s);
                jobs(s.AddJobScheduler());
            },
            new JobSchedulerTestHostOptions { StartTime = start ?? Start });

    /// <summary>Collects one instrument of this host's meter only (other tests' hosts have their own meter factory).</summary>
    public static MetricCollector<T> Collect<T>(this JobSchedulerTestHost host, string instrument)
        where T : struct
        => new(host.Services.GetRequiredService<IMeterFactory>(), JobSchedulerInstrumentation.Name, instrument, host.Clock);

    /// <summary>Returns the value of one tag of a measurement.</summary>
    public static object? Tag<T>(this CollectedMeasurement<T> measurement, string name)
        where T : struct
        => measurement.Tags.TryGetValue(name, out var value) ? value : null;

    /// <summary>Runs the health checks and returns the scheduler's entry.</summary>
    public static async Task<HealthReportEntry> CheckHealthAsync(this IServiceProvider services, string name = "jobscheduler")
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name);
        return report.Entries[name];
    }
}

/// <summary>Records the spans of the <c>JobScheduler</c> source (and any other named sources) while it lives.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder(params string[] otherSources)
    {
        string[] sources = [JobSchedulerInstrumentation.Name, .. otherSources];
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Returns the stopped spans of one job, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Of(string jobName)
        => [.. _stopped.Where(a => a.Source.Name == JobSchedulerInstrumentation.Name && Equals(a.GetTagItem("job.name"), jobName))];

    /// <summary>Returns every stopped span of a source.</summary>
    public IReadOnlyList<Activity> FromSource(string sourceName) => [.. _stopped.Where(a => a.Source.Name == sourceName)];

    public void Dispose() => _listener.Dispose();
}
