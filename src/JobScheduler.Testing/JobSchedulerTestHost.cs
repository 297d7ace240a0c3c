using JobScheduler.Execution;
using JobScheduler.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Testing;

/// <summary>
/// Runs your jobs on a fake clock so unit tests see days of schedules in milliseconds, deterministically.
/// </summary>
/// <remarks>
/// <para>
/// Every advance moves the clock from one pending timer to the next (job occurrences, retry backoffs, timeouts, your
/// jobs' own <c>Task.Delay(…, timeProvider)</c>), firing each at its exact time, and after each step waits until the
/// runs in progress have <em>settled</em>: finished, or waiting on the fake clock.
/// </para>
/// <para>Jobs must take <see cref="TimeProvider"/> from DI for their own waits; a real sleep cannot be driven.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var host = await JobSchedulerTestHost.StartAsync(services =>
///     services.AddJobScheduler().AddJob&lt;ReportJob&gt;("0 8 * * *"));
/// await host.AdvanceAsync(TimeSpan.FromDays(7));
/// Assert.Equal(7, (await host.GetSessionsAsync("ReportJob")).Count);
/// </code>
/// </example>
public sealed class JobSchedulerTestHost : IAsyncDisposable
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(100);

    private readonly IHost _host;
    private readonly TrackingFakeTimeProvider _clock;
    private readonly JobSchedulerEngine _engine;
    private readonly RunMonitor _monitor;
    private readonly TimeSpan _settleTimeout;
    private bool _stopped;

    private JobSchedulerTestHost(IHost host, TrackingFakeTimeProvider clock, RunMonitor monitor, TimeSpan settleTimeout)
    {
        _host = host;
        _clock = clock;
        _monitor = monitor;
        _settleTimeout = settleTimeout;
        _engine = host.Services.GetRequiredService<JobSchedulerEngine>();
    }

    /// <summary>Gets the fake clock, registered as the app's <see cref="TimeProvider"/>.</summary>
    public FakeTimeProvider Clock => _clock;

    /// <summary>Gets the host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Gets the scheduler.</summary>
    public IJobScheduler Scheduler => _engine;

    /// <summary>Gets the session store.</summary>
    public IJobSessionStore Store => _engine.Store;

    /// <summary>Gets the fake clock's current time.</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Builds and starts a host with your registrations on a fake clock.</summary>
    /// <param name="configureServices">Your registrations: <c>AddJobScheduler()</c>, jobs, fakes of their dependencies.</param>
    /// <param name="options">Start time, configuration values and the settle guard.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The started host; every job's first occurrence is already scheduled.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A job is invalid; the message lists every problem.</exception>
    public static async Task<JobSchedulerTestHost> StartAsync(
        Action<IServiceCollection> configureServices,
        JobSchedulerTestHostOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        options ??= new JobSchedulerTestHostOptions();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(options.Configuration);
        builder.Services.AddLogging();
        configureServices(builder.Services);

        var monitor = new RunMonitor { InlineDispatch = true };
        var clock = new TrackingFakeTimeProvider(options.StartTime) { Monitor = monitor };
        builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
        builder.Services.AddSingleton(monitor);

        var host = builder.Build();
        var testHost = new JobSchedulerTestHost(host, clock, monitor, options.SettleTimeout);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        await testHost._engine.LastSessionsLoaded.ConfigureAwait(false); // so tests see the stored history at once
        await testHost.WaitForIdleAsync().ConfigureAwait(false);
        return testHost;
    }

    /// <summary>Moves the clock forward by <paramref name="duration"/>, firing everything due in order and letting runs settle.</summary>
    /// <param name="duration">How far to move; zero or more.</param>
    /// <returns>A task that completes when the clock has reached the target and runs have settled.</returns>
    public Task AdvanceAsync(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return AdvanceToAsync(Now + duration);
    }

    /// <summary>Moves the clock forward to <paramref name="time"/>, firing everything due in order and letting runs settle.</summary>
    /// <param name="time">The target time; not before <see cref="Now"/>.</param>
    /// <returns>A task that completes when the clock has reached the target and runs have settled.</returns>
    public async Task AdvanceToAsync(DateTimeOffset time)
    {
        if (time < Now)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, $"The fake clock cannot go back (now {Now:O}).");
        }

        await WaitForIdleAsync().ConfigureAwait(false);
        while (_clock.NextTimerDue is { } due && due <= time)
        {
            _clock.StepTo(due);
            await WaitForIdleAsync().ConfigureAwait(false);
        }

        if (time > Now)
        {
            _clock.SetUtcNow(time);
            await WaitForIdleAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Moves the clock to the next occurrence of any job (schedules and one-off runs) and lets its runs settle.</summary>
    /// <returns>The time the clock moved to.</returns>
    /// <exception cref="InvalidOperationException">No job has a future occurrence.</exception>
    public async Task<DateTimeOffset> AdvanceToNextRunAsync()
    {
        var next = _engine.NextDueTime
            ?? throw new InvalidOperationException("No job has a future occurrence: every job is paused, disabled or on-demand.");
        await AdvanceToAsync(next).ConfigureAwait(false);
        return next;
    }

    /// <summary>Waits until every run in progress has finished or waits on the fake clock.</summary>
    /// <returns>A task that completes when runs have settled.</returns>
    /// <exception cref="TimeoutException">Runs did not settle within <see cref="JobSchedulerTestHostOptions.SettleTimeout"/> of real time; the message names the busy job.</exception>
    public async Task WaitForIdleAsync()
    {
        var deadline = TimeProvider.System.GetUtcNow() + _settleTimeout; // clock-ok: a real-time guard, not schedule behaviour
        while (true)
        {
            var changed = _monitor.WhenChanged;
            if (_engine.IsSettled(out var busy))
            {
                return;
            }

            var remaining = deadline - TimeProvider.System.GetUtcNow(); // clock-ok
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"Runs did not settle within {_settleTimeout} of real time: {busy}. A job must finish or wait on the fake clock " +
                    "(inject TimeProvider and use Task.Delay(delay, timeProvider, token)); it must not block on real time or I/O that never completes.");
            }

            // Every change signals, but re-check now and then anyway: a missed signal then costs milliseconds, not the guard.
            var poll = remaining < RecheckInterval ? remaining : RecheckInterval;
            await changed.WaitAsync(poll, TimeProvider.System).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // clock-ok
        }
    }

    /// <summary>Triggers <paramref name="name"/> now and moves the clock until the run, retries included, has finished.</summary>
    /// <param name="name">The job name.</param>
    /// <returns>The last attempt's session.</returns>
    /// <exception cref="InvalidOperationException">The run waits on nothing the clock can fire.</exception>
    public async Task<JobSession> RunJobAsync(string name)
    {
        var handle = await Scheduler.TriggerAsync(name).ConfigureAwait(false);
        await WaitForIdleAsync().ConfigureAwait(false);
        while (!handle.Completion.IsCompleted)
        {
            if (_clock.NextTimerDue is not { } due)
            {
                throw new InvalidOperationException($"The run of job '{name}' has not finished and waits on no timer of the fake clock.");
            }

            _clock.StepTo(due);
            await WaitForIdleAsync().ConfigureAwait(false);
        }

        return await handle.Completion.ConfigureAwait(false);
    }

    /// <summary>Returns the sessions of one job, or of every job, in the order they started.</summary>
    /// <param name="jobName">The job name, or <see langword="null"/> for every job.</param>
    /// <returns>The sessions, oldest first.</returns>
    public async Task<IReadOnlyList<JobSession>> GetSessionsAsync(string? jobName = null)
    {
        var newestFirst = await Store.QueryAsync(new JobSessionQuery { JobName = jobName, Limit = int.MaxValue }, CancellationToken.None).ConfigureAwait(false);
        return [.. newestFirst.Reverse()];
    }

    /// <summary>Stops the host gracefully, moving the clock through the shutdown grace period while runs are still busy.</summary>
    /// <returns>A task that completes when the host has stopped.</returns>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _engine.BeginStop(); // the clock must not move before the scheduler has begun to stop
        var stopping = _host.StopAsync();
        await WaitForIdleAsync().ConfigureAwait(false);
        while (!stopping.IsCompleted)
        {
            // Take the change signal before stepping, so a change the step causes cannot be missed.
            var changed = _monitor.WhenChanged;
            if (_clock.NextTimerDue is { } due)
            {
                _clock.StepTo(due);
            }

            await Task.WhenAny(stopping, changed).ConfigureAwait(false);
            await WaitForIdleAsync().ConfigureAwait(false);
        }

        await stopping.ConfigureAwait(false);
    }

    /// <summary>Stops the host (if still running) and disposes it.</summary>
    /// <returns>A task that completes when the host is disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
