namespace JobScheduler.AspNetCore.Api;

/// <summary>One page of a job's run history, newest first (<c>GET {prefix}/api/jobs/{name}/sessions</c>).</summary>
/// <param name="JobName">The job's registered name.</param>
/// <param name="Sessions">At most <c>limit</c> sessions, newest <see cref="JobSession.StartedAt"/> first.</param>
/// <param name="NextBefore">
/// The <c>before</c> value that reads the next, older page, or <see langword="null"/> when this page reaches the oldest
/// session. Sessions that started at the same instant are never split across pages.
/// </param>
internal sealed record JobSessionPage(string JobName, IReadOnlyList<JobSession> Sessions, DateTimeOffset? NextBefore);
