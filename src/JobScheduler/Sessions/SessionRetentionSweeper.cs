using JobScheduler.Diagnostics;
using JobScheduler.Hosting;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Sessions;

/// <summary>
/// Applies <see cref="JobSchedulerOptions.SessionRetention"/> and <see cref="JobSchedulerOptions.MaxSessionsPerJob"/>:
/// sweeps at start and then every hour, on the scheduler's clock. A sweep that fails is logged and retried at the next.
/// </summary>
internal sealed class SessionRetentionSweeper(IJobSessionStore store, JobSchedulerOptions options, TimeProvider time, ILogger logger) : IDisposable
{
    private ITimer? _timer;
    private int _sweeping;

    public void Start()
    {
        if (options.SessionRetention is null && (options.MaxSessionsPerJob is null || store is not IJobSessionRetention))
        {
            return;
        }

        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static s => _ = ((SessionRetentionSweeper)s!).SweepAsync(), this, TimeSpan.Zero, JobSchedulerDefaults.RetentionSweepInterval);
        }
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Runs one sweep now, unless one is in progress.</summary>
    internal async Task SweepAsync()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            var purged = 0;
            if (options.SessionRetention is { } retention)
            {
                purged += await store.PurgeAsync(time.GetUtcNow() - retention, CancellationToken.None).ConfigureAwait(false);
            }

            if (options.MaxSessionsPerJob is { } max && store is IJobSessionRetention retentionStore)
            {
                purged += await retentionStore.TrimAsync(max, CancellationToken.None).ConfigureAwait(false);
            }

            if (purged > 0)
            {
                Log.SessionsPurgedMessage(logger, purged);
            }
        }
        catch (Exception ex)
        {
            Log.RetentionFailedMessage(logger, ex);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
