namespace JobScheduler.Sqlite.CrashApp;

/// <summary>Runs until cancelled: long enough to be killed mid-run.</summary>
internal sealed class SlowJob(TimeProvider time) : IJob
{
    public const string Name = "slow";

    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        => Task.Delay(TimeSpan.FromMinutes(10), time, cancellationToken);
}
