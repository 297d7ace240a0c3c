using System.Globalization;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Tests.Scheduling;

/// <summary>What a job saw in one attempt: its <see cref="JobContext"/> and the fake clock when its code began.</summary>
internal sealed record ProbeCall(
    string JobName,
    Guid SessionId,
    DateTimeOffset ScheduledAt,
    DateTimeOffset StartedAt,
    int Attempt,
    JobTrigger Trigger,
    DateTimeOffset ClockAtStart);

/// <summary>A job body: the attempt's context, the app's (fake) clock and the attempt's token.</summary>
internal delegate Task ProbeBody(JobContext context, TimeProvider time, CancellationToken cancellationToken);

/// <summary>
/// Shared between a test and its <see cref="ProbeJob"/>s through DI (one instance per test, so test classes may run
/// in parallel): records every attempt and runs the body the test chose for each job.
/// </summary>
internal sealed class RunProbe
{
    private readonly object _gate = new();
    private readonly List<ProbeCall> _calls = [];
    private readonly Dictionary<string, ProbeBody> _bodies = new(StringComparer.OrdinalIgnoreCase);
    private int _running;
    private int _maxRunning;

    /// <summary>Gets or sets the body of jobs with no body of their own; by default returns at once.</summary>
    public ProbeBody Body { get; set; } = static (_, _, _) => Task.CompletedTask;

    /// <summary>Gets every attempt so far, in the order they started.</summary>
    public IReadOnlyList<ProbeCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Gets how many job bodies are executing right now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Gets the most job bodies that ever executed at once.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    /// <summary>Gives one job (by name) its own body.</summary>
    public RunProbe On(string jobName, ProbeBody body)
    {
        lock (_gate)
        {
            _bodies[jobName] = body;
        }

        return this;
    }

    public IReadOnlyList<ProbeCall> CallsOf(string jobName) => [.. Calls.Where(c => c.JobName == jobName)];

    public async Task RunAsync(JobContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        ProbeBody body;
        lock (_gate)
        {
            _calls.Add(new ProbeCall(context.JobName, context.SessionId, context.ScheduledAt, context.StartedAt, context.Attempt, context.Trigger, time.GetUtcNow()));
            body = _bodies.GetValueOrDefault(context.JobName) ?? Body;
            _running++;
            _maxRunning = Math.Max(_maxRunning, _running);
        }

        try
        {
            await body(context, time, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _running--;
            }
        }
    }

    /// <summary>A body that takes <paramref name="duration"/> of fake time and honours cancellation.</summary>
    public static ProbeBody Takes(TimeSpan duration) => (_, time, ct) => Task.Delay(duration, time, ct);

    /// <summary>A body that takes <paramref name="duration"/> of fake time and ignores its token.</summary>
    public static ProbeBody TakesIgnoringCancellation(TimeSpan duration) => (_, time, _) => Task.Delay(duration, time, CancellationToken.None);

    /// <summary>A body that throws at once.</summary>
    public static ProbeBody Fails(string message) => (_, _, _) => throw new InvalidOperationException(message);
}

/// <summary>The job most engine tests schedule: it hands its attempt to the test's <see cref="RunProbe"/>.</summary>
internal sealed class ProbeJob(RunProbe probe, TimeProvider time) : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => probe.RunAsync(context, time, cancellationToken);
}

/// <summary>A second job class, for tests that need two classes (duplicate names, attributes).</summary>
internal sealed class OtherProbeJob(RunProbe probe, TimeProvider time) : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => probe.RunAsync(context, time, cancellationToken);
}

/// <summary>Starts a <see cref="JobSchedulerTestHost"/> with a probe and jobs; times are written as readable strings.</summary>
internal static class EngineHost
{
    /// <summary>The default start of the fake clock: Thursday 2026-01-01T00:00Z.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Task<JobSchedulerTestHost> StartAsync(
        RunProbe probe,
        Action<IJobSchedulerBuilder> jobs,
        DateTimeOffset? start = null,
        Action<IServiceCollection>? services = null)
        => JobSchedulerTestHost.StartAsync(
            s =>
            {
                s.AddSingleton(probe);
                services?.Invoke(s);
                jobs(s.AddJobScheduler());
            },
            new JobSchedulerTestHostOptions { StartTime = start ?? Start });

    /// <summary>Parses <c>"2026-03-08 07:00Z"</c> or <c>"2026-03-08 03:00 -04:00"</c>.</summary>
    public static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Parses a comma-separated list of <see cref="At"/> times; empty for none.</summary>
    public static DateTimeOffset[] Times(string list)
        => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(At)];

    /// <summary>Parses <c>"00:10:00"</c> or <c>"1.00:00:00"</c>.</summary>
    public static TimeSpan Span(string text) => TimeSpan.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>Returns the sessions of <paramref name="jobName"/> ordered by occurrence, then attempt.</summary>
    public static async Task<IReadOnlyList<JobSession>> SessionsByOccurrenceAsync(this JobSchedulerTestHost host, string jobName)
        => [.. (await host.GetSessionsAsync(jobName)).OrderBy(s => s.ScheduledAt).ThenBy(s => s.Attempt)];

    /// <summary>Moves the fake clock to <paramref name="offset"/> after <see cref="Start"/> (or after <paramref name="from"/>).</summary>
    public static Task AdvanceToOffsetAsync(this JobSchedulerTestHost host, TimeSpan offset, DateTimeOffset? from = null)
        => host.AdvanceToAsync((from ?? Start) + offset);
}
