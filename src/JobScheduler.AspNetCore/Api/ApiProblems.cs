using Microsoft.AspNetCore.Http;

namespace JobScheduler.AspNetCore.Api;

/// <summary>
/// The RFC 7807 problem details the endpoints answer with. Each names what was wrong (the job, the query parameter and
/// its value) so that a caller can fix the request without reading the server's logs.
/// </summary>
internal static class ApiProblems
{
    /// <summary>Where the security rules are explained.</summary>
    public const string SecurityDocs = "https://github.com/jobscheduler/jobscheduler/blob/main/docs/operations.md#security";

    public static IResult JobNotFound(string name, string message) => TypedResults.Problem(
        title: "Job not found",
        detail: message,
        statusCode: StatusCodes.Status404NotFound,
        extensions: new Dictionary<string, object?> { ["job"] = name });

    public static IResult JobConflict(string name, string title, string message) => TypedResults.Problem(
        title: title,
        detail: message,
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["job"] = name });

    public static IResult InvalidQuery(string parameter, string value, string expected) => TypedResults.Problem(
        title: "Invalid query parameter",
        detail: $"Query parameter '{parameter}' must be {expected}; got '{value}'.",
        statusCode: StatusCodes.Status400BadRequest,
        extensions: new Dictionary<string, object?> { ["parameter"] = parameter, ["value"] = value });

    public static IResult RemoteRequestRefused(string remoteAddress) => TypedResults.Problem(
        title: "Only local requests are allowed",
        detail: $"The JobScheduler dashboard and API serve only requests from this machine until the application requires "
            + $"authorization on them, and this request came from {remoteAddress}. To open them up, require an authorization "
            + "policy: app.MapJobScheduler(\"/jobs\").RequireAuthorization(\"JobSchedulerAdmins\"), with the policy added by "
            + $"builder.Services.AddAuthorization(...) and an authentication scheme. See {SecurityDocs}.",
        statusCode: StatusCodes.Status403Forbidden,
        extensions: new Dictionary<string, object?> { ["remoteAddress"] = remoteAddress });

    public static IResult MissingRequestHeader(string headerName, string headerValue) => TypedResults.Problem(
        title: $"Missing {headerName} header",
        detail: $"JobScheduler requests that change state must be POST requests with the header '{headerName}: {headerValue}' "
            + "(the dashboard sends it). A form on another site cannot set a custom header, so the header blocks cross-site "
            + $"request forgery. For example: curl -X POST -H '{headerName}: {headerValue}' <url>. See {SecurityDocs}.",
        statusCode: StatusCodes.Status400BadRequest,
        extensions: new Dictionary<string, object?> { ["header"] = headerName });
}
