using JobScheduler.Diagnostics;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Execution;

/// <summary>
/// Writes sessions to the store and tells the observers. A store or observer fault is logged and never reaches the
/// job or the schedule.
/// </summary>
internal sealed class SessionRecorder(IJobSessionStore store, IJobRunObserver[] observers, ILogger logger)
{
    public IJobSessionStore Store => store;

    public async ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
    {
        try
        {
            await store.RecordStartAsync(session, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.StoreWriteFailedMessage(logger, ex, session.Id, session.JobName, session.Status);
        }

        foreach (var observer in observers)
        {
            try
            {
                await observer.OnRunStartedAsync(session, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ObserverFailedMessage(logger, ex, observer.GetType().FullName ?? observer.GetType().Name, session.Id, session.JobName);
            }
        }
    }

    public async ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        try
        {
            await store.RecordEndAsync(session, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.StoreWriteFailedMessage(logger, ex, session.Id, session.JobName, session.Status);
        }

        foreach (var observer in observers)
        {
            try
            {
                await observer.OnRunEndedAsync(session, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ObserverFailedMessage(logger, ex, observer.GetType().FullName ?? observer.GetType().Name, session.Id, session.JobName);
            }
        }
    }
}
