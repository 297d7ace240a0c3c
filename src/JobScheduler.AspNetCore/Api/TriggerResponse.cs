namespace JobScheduler.AspNetCore.Api;

/// <summary>The answer to <c>POST {prefix}/api/jobs/{name}/trigger</c>.</summary>
/// <param name="JobName">The job's registered name.</param>
/// <param name="SessionId">The id of the run's first session (its first attempt, or its skipped record).</param>
internal sealed record TriggerResponse(string JobName, Guid SessionId);
