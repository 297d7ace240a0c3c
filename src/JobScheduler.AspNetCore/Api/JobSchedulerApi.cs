using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using JobScheduler.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JobScheduler.AspNetCore.Api;

/// <summary>
/// The JSON management API under <c>{prefix}/api</c>. Every handler reads the job through <see cref="IJobScheduler"/>
/// (names are case-insensitive there) and queries the store by the job's registered name (stores match exactly).
/// </summary>
internal sealed class JobSchedulerApi(ILogger logger)
{
    private static JobSchedulerJsonContext Json => JobSchedulerJsonContext.Default;

    /// <summary><c>GET {prefix}/api/jobs</c>: every job, ordered by name.</summary>
    public static Task GetJobsAsync(HttpContext context)
        => WriteJsonAsync(context, StatusCodes.Status200OK, Scheduler(context).GetJobs(), Json.IReadOnlyListJobInfo);

    /// <summary><c>GET {prefix}/api/jobs/{name}</c>: one job.</summary>
    public static Task GetJobAsync(HttpContext context)
    {
        var name = RouteName(context);
        return TryGetJob(Scheduler(context), name, out var job, out var problem)
            ? WriteJsonAsync(context, StatusCodes.Status200OK, job, Json.JobInfo)
            : problem.ExecuteAsync(context);
    }

    /// <summary><c>GET {prefix}/api/jobs/{name}/sessions?limit=&amp;before=</c>: one page of a job's history, newest first.</summary>
    public async Task GetJobSessionsAsync(HttpContext context)
    {
        var name = RouteName(context);
        if (!TryGetJob(Scheduler(context), name, out var job, out var problem)
            || !QueryParameters.TryGetLimit(context.Request, out var limit, out problem)
            || !QueryParameters.TryGetTime(context.Request, "before", out var before, out problem))
        {
            await problem.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        JobSessionPage page;
        try
        {
            page = await SessionPager.ReadPageAsync(Store(context), job.Name, limit, before, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            await StoreFailed(ex).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, page, Json.JobSessionPage).ConfigureAwait(false);
    }

    /// <summary><c>GET {prefix}/api/sessions?job=&amp;status=&amp;since=&amp;limit=</c>: recent sessions of every job, newest first.</summary>
    public async Task GetSessionsAsync(HttpContext context)
    {
        var request = context.Request;
        if (!QueryParameters.TryGetText(request, "job", out var jobText, out var problem)
            || !QueryParameters.TryGetStatus(request, out var status, out problem)
            || !QueryParameters.TryGetTime(request, "since", out var since, out problem)
            || !QueryParameters.TryGetLimit(request, out var limit, out problem))
        {
            await problem.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        string? jobName = null;
        if (jobText is not null)
        {
            if (!TryGetJob(Scheduler(context), jobText, out var job, out problem))
            {
                await problem.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            jobName = job.Name;
        }

        IReadOnlyList<JobSession> sessions;
        try
        {
            var query = new JobSessionQuery { JobName = jobName, Status = status, Since = since, Limit = limit };
            sessions = await Store(context).QueryAsync(query, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            await StoreFailed(ex).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, sessions, Json.IReadOnlyListJobSession).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST {prefix}/api/jobs/{name}/trigger</c>: starts a run now. 202 with the first session's id, and a
    /// <c>Location</c> header pointing at the job's history, where the session appears.
    /// </summary>
    public async Task TriggerAsync(HttpContext context)
    {
        var scheduler = Scheduler(context);
        var name = RouteName(context);
        JobRunHandle run;
        try
        {
            run = await scheduler.TriggerAsync(name, context.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            await ApiProblems.JobNotFound(name, ex.Message).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        catch (InvalidOperationException ex)
        {
            await ApiProblems.JobConflict(name, "The job cannot run", ex.Message).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var jobName = TryGetJob(scheduler, name, out var job, out _) ? job.Name : name;
        JobSchedulerAspNetCoreLog.JobTriggeredMessage(logger, jobName, UserName(context), RemoteAddress(context), run.SessionId);
        context.Response.Headers.Location = JobSessionsUrl(context, jobName);
        await WriteJsonAsync(context, StatusCodes.Status202Accepted, new TriggerResponse(jobName, run.SessionId), Json.TriggerResponse)
            .ConfigureAwait(false);
    }

    /// <summary><c>POST {prefix}/api/jobs/{name}/pause</c>: stops scheduling the job; answers with the job.</summary>
    public Task PauseAsync(HttpContext context) => ChangeJobAsync(
        context, static (scheduler, name) => scheduler.Pause(name), "The job cannot be paused", JobSchedulerAspNetCoreLog.JobPausedMessage);

    /// <summary><c>POST {prefix}/api/jobs/{name}/resume</c>: schedules a paused job again; answers with the job.</summary>
    public Task ResumeAsync(HttpContext context) => ChangeJobAsync(
        context, static (scheduler, name) => scheduler.Resume(name), "The job cannot be resumed", JobSchedulerAspNetCoreLog.JobResumedMessage);

    /// <summary>Applies a state change to one job and answers with the job: 404 when unknown, 409 when it cannot change.</summary>
    private Task ChangeJobAsync(
        HttpContext context,
        Action<IJobScheduler, string> change,
        string refusal,
        Action<ILogger, string, string, string?> logChange)
    {
        var scheduler = Scheduler(context);
        var name = RouteName(context);
        try
        {
            change(scheduler, name);
        }
        catch (KeyNotFoundException ex)
        {
            return ApiProblems.JobNotFound(name, ex.Message).ExecuteAsync(context);
        }
        catch (InvalidOperationException ex)
        {
            return ApiProblems.JobConflict(name, refusal, ex.Message).ExecuteAsync(context);
        }

        var job = scheduler.GetJob(name);
        logChange(logger, job.Name, UserName(context), RemoteAddress(context));
        return WriteJsonAsync(context, StatusCodes.Status200OK, job, Json.JobInfo);
    }

    private static bool TryGetJob(IJobScheduler scheduler, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JobInfo? job, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out IResult? problem)
    {
        try
        {
            job = scheduler.GetJob(name);
            problem = null;
            return true;
        }
        catch (KeyNotFoundException ex)
        {
            job = null;
            problem = ApiProblems.JobNotFound(name, ex.Message);
            return false;
        }
    }

    private ProblemHttpResult StoreFailed(Exception exception)
    {
        JobSchedulerAspNetCoreLog.SessionStoreReadFailedMessage(logger, exception);
        return TypedResults.Problem(
            title: "The session store failed",
            detail: $"Reading sessions failed: {exception.GetType().Name}: {exception.Message}",
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static Task WriteJsonAsync<T>(HttpContext context, int statusCode, T value, JsonTypeInfo<T> typeInfo)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        // Live state, and possibly behind authorization: never cached by a browser or a proxy.
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.WriteAsJsonAsync(value, typeInfo, contentType: null, context.RequestAborted);
    }

    private static IJobScheduler Scheduler(HttpContext context) => context.RequestServices.GetRequiredService<IJobScheduler>();

    private static IJobSessionStore Store(HttpContext context) => context.RequestServices.GetRequiredService<IJobSessionStore>();

    private static string RouteName(HttpContext context)
        => Convert.ToString(context.Request.RouteValues["name"], CultureInfo.InvariantCulture) ?? string.Empty;

    private static string UserName(HttpContext context)
        => context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : "anonymous";

    private static string? RemoteAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    /// <summary>The job's history URL, next to the request's own path: <c>{pathBase}{prefix}/api/jobs/{name}/sessions</c>.</summary>
    private static string JobSessionsUrl(HttpContext context, string jobName)
    {
        var path = (context.Request.PathBase + context.Request.Path).Value ?? string.Empty;
        var api = path.LastIndexOf("/api/jobs/", StringComparison.OrdinalIgnoreCase);
        var prefix = api >= 0 ? path[..api] : string.Empty;
        return $"{prefix}/api/jobs/{Uri.EscapeDataString(jobName)}/sessions";
    }
}
