namespace JobScheduler.AspNetCore.Tests;

/// <summary>Returns at once.</summary>
public sealed class QuickJob : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Always throws, so its sessions are <see cref="JobSessionStatus.Failed"/> with an error.</summary>
public sealed class FailingJob : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        => throw new InvalidOperationException("The upstream feed answered 503 Service Unavailable.");
}

/// <summary>Runs for a fifth of a second of real time, so the dashboard shows it running and then finished.</summary>
public sealed class ShortRealTimeJob : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        => Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
}
