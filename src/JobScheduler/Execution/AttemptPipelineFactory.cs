using JobScheduler.Diagnostics;
using JobScheduler.Scheduling;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace JobScheduler.Execution;

/// <summary>
/// Builds a job's Polly pipeline: retry (outer, with backoff and jitter) around timeout (inner, per attempt), both on
/// the scheduler's <see cref="TimeProvider"/>. Each callback invocation is one attempt returning its ended session.
/// </summary>
internal static class AttemptPipelineFactory
{
    public static readonly ResiliencePropertyKey<JobRun> RunKey = new("JobScheduler.Run");

    /// <summary>Returns <see langword="null"/> when the job has neither retries nor a timeout: attempts then run directly.</summary>
    public static ResiliencePipeline<JobSession>? Create(JobDefinition definition, TimeProvider time, ILogger logger)
    {
        if (definition.MaxRetries == 0 && definition.Timeout is null)
        {
            return null;
        }

        var builder = new ResiliencePipelineBuilder<JobSession> { TimeProvider = time, Name = definition.Name };
        if (definition.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<JobSession>
            {
                MaxRetryAttempts = definition.MaxRetries,
                Delay = definition.RetryDelay,
                BackoffType = definition.Backoff switch
                {
                    RetryBackoff.Linear => DelayBackoffType.Linear,
                    RetryBackoff.Exponential => DelayBackoffType.Exponential,
                    _ => DelayBackoffType.Constant,
                },
                UseJitter = definition.UseJitter,
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                OnRetry = args =>
                {
                    var run = args.Context.Properties.GetValue(RunKey, null!);
                    run.Phase = RunPhase.RetryDelay;
                    Log.RetryScheduledMessage(logger, definition.Name, run.Attempt, run.LastEnded?.Status ?? JobSessionStatus.Failed, args.RetryDelay);
                    return default;
                },
            });
        }

        if (definition.Timeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return builder.Build();
    }

    private static bool ShouldRetry(Outcome<JobSession> outcome, ResilienceContext context)
    {
        // A cancelled attempt (shutdown) or a removed job is never retried; failures and timeouts are.
        var run = context.Properties.GetValue(RunKey, null!);
        return outcome.Result is { Status: JobSessionStatus.Failed or JobSessionStatus.TimedOut }
            && !context.CancellationToken.IsCancellationRequested
            && !run.Job.IsRemoved;
    }
}
