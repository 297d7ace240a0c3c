using JobScheduler.Scheduling;
using Microsoft.Extensions.Hosting;

namespace JobScheduler.Hosting;

/// <summary>
/// Starts the scheduler with the host and stops it gracefully. Start-up work (validation, crash recovery, computing
/// every first occurrence, arming the timer) finishes inside <see cref="StartAsync"/>, so when the host has started,
/// every job is already scheduled.
/// </summary>
internal sealed class JobSchedulerHostedService(JobSchedulerEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => engine.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => engine.StopAsync(cancellationToken);
}
