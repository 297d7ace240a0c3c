using JobScheduler.AspNetCore.Api;
using JobScheduler.AspNetCore.Dashboard;
using JobScheduler.AspNetCore.Diagnostics;
using JobScheduler.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JobScheduler;

/// <summary>Maps the JobScheduler management API and dashboard into an ASP.NET Core application.</summary>
public static class JobSchedulerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard page at <paramref name="prefix"/> and the JSON management API under
    /// <c>{prefix}/api</c>: list jobs, read run history, trigger, pause and resume.
    /// </summary>
    /// <param name="endpoints">The application, or a route group to nest the endpoints in.</param>
    /// <param name="prefix">The path of the dashboard, starting with <c>/</c>. The default value is <c>/jobs</c>.</param>
    /// <returns>
    /// The route group of every endpoint mapped here, for conventions such as
    /// <c>.RequireAuthorization("policy")</c>.
    /// </returns>
    /// <remarks>
    /// <para>
    /// Secure by default: until authorization is required on the returned builder (<c>RequireAuthorization</c>), the
    /// endpoints serve only requests from the local machine (a loopback remote address) and answer every other request
    /// with <c>403 Forbidden</c>. With authorization required, the application's authorization policy decides.
    /// </para>
    /// <para>
    /// State changes (trigger, pause, resume) accept only <c>POST</c> requests that carry the header
    /// <c>X-JobScheduler-Request: 1</c>, which a cross-site form cannot send; the dashboard sends it.
    /// </para>
    /// <para>Call <c>AddJobScheduler()</c> on the service collection first.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="prefix"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> does not start with <c>/</c>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddJobScheduler()</c> was not called on the service collection.</exception>
    public static IEndpointConventionBuilder MapJobScheduler(this IEndpointRouteBuilder endpoints, string prefix = "/jobs")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!prefix.StartsWith('/'))
        {
            throw new ArgumentException($"The JobScheduler prefix must start with '/' (such as \"/jobs\"); got \"{prefix}\".", nameof(prefix));
        }

        var services = endpoints.ServiceProvider;
        if (services.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(typeof(IJobScheduler)))
        {
            throw new InvalidOperationException(
                "MapJobScheduler() needs the job scheduler: call builder.Services.AddJobScheduler() before building the application.");
        }

        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(JobSchedulerAspNetCoreLog.Category)
            ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var guard = new RequestGuard(logger);
        var api = new JobSchedulerApi(logger);
        var dashboard = new DashboardEndpoints();

        var trimmed = prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;
        var group = endpoints.MapGroup(trimmed.Length == 0 ? "/" : trimmed);

        group.MapGet("", guard.Read(dashboard.GetPageAsync)).WithDisplayName("JobScheduler dashboard");
        group.MapGet("/assets/{file}", guard.Read(dashboard.GetAssetAsync)).WithDisplayName("JobScheduler dashboard asset");

        group.MapGet("/api/jobs", guard.Read(JobSchedulerApi.GetJobsAsync)).WithDisplayName("JobScheduler API: list jobs");
        group.MapGet("/api/jobs/{name}", guard.Read(JobSchedulerApi.GetJobAsync)).WithDisplayName("JobScheduler API: get job");
        group.MapGet("/api/jobs/{name}/sessions", guard.Read(api.GetJobSessionsAsync)).WithDisplayName("JobScheduler API: job history");
        group.MapGet("/api/sessions", guard.Read(api.GetSessionsAsync)).WithDisplayName("JobScheduler API: sessions");
        group.MapPost("/api/jobs/{name}/trigger", guard.Change(api.TriggerAsync)).WithDisplayName("JobScheduler API: trigger job");
        group.MapPost("/api/jobs/{name}/pause", guard.Change(api.PauseAsync)).WithDisplayName("JobScheduler API: pause job");
        group.MapPost("/api/jobs/{name}/resume", guard.Change(api.ResumeAsync)).WithDisplayName("JobScheduler API: resume job");

        return group;
    }
}
