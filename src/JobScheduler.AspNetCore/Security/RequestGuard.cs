using System.Net;
using JobScheduler.AspNetCore.Api;
using JobScheduler.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace JobScheduler.AspNetCore.Security;

/// <summary>
/// The two checks in front of every JobScheduler endpoint: local requests only until the application requires
/// authorization on the endpoints, and a custom header on every state change so that a cross-site form cannot forge one.
/// </summary>
internal sealed class RequestGuard(ILogger logger)
{
    /// <summary>The header every state-changing request must carry, with the value <see cref="RequestHeaderValue"/>.</summary>
    public const string RequestHeaderName = "X-JobScheduler-Request";

    /// <summary>The only accepted value of <see cref="RequestHeaderName"/>.</summary>
    public const string RequestHeaderValue = "1";

    /// <summary>Wraps a handler that only reads: the locality rule applies.</summary>
    public RequestDelegate Read(RequestDelegate handler) => context =>
        IsAllowed(context, out var refusal) ? handler(context) : refusal!.ExecuteAsync(context);

    /// <summary>Wraps a handler that changes state: the locality rule and the request header apply.</summary>
    public RequestDelegate Change(RequestDelegate handler) => context =>
    {
        if (!IsAllowed(context, out var refusal))
        {
            return refusal!.ExecuteAsync(context);
        }

        if (!HasRequestHeader(context.Request))
        {
            JobSchedulerAspNetCoreLog.RequestHeaderMissingMessage(logger, context.Request.Method, context.Request.Path.Value, RequestHeaderName);
            return ApiProblems.MissingRequestHeader(RequestHeaderName, RequestHeaderValue).ExecuteAsync(context);
        }

        return handler(context);
    };

    /// <summary>
    /// Gets a value indicating whether the endpoint has authorization configured by the application: authorization
    /// metadata (<c>RequireAuthorization(...)</c>, <c>[Authorize]</c>) and no <see cref="IAllowAnonymous"/>, which would
    /// make the authorization middleware skip it.
    /// </summary>
    internal static bool RequiresAuthorization(Endpoint? endpoint)
    {
        if (endpoint is null)
        {
            return false;
        }

        var metadata = endpoint.Metadata;
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return false;
        }

        return metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null;
    }

    /// <summary>
    /// Gets a value indicating whether a connection comes from this machine: a loopback address, or no IP address at all
    /// (Unix domain sockets, named pipes and in-process test servers are local by construction).
    /// </summary>
    internal static bool IsLocal(IPAddress? remoteAddress)
    {
        if (remoteAddress is null)
        {
            return true;
        }

        if (remoteAddress.IsIPv4MappedToIPv6)
        {
            remoteAddress = remoteAddress.MapToIPv4();
        }

        return IPAddress.IsLoopback(remoteAddress);
    }

    internal static bool HasRequestHeader(HttpRequest request)
        => request.Headers.TryGetValue(RequestHeaderName, out var values)
            && values.Count == 1
            && string.Equals(values[0]?.Trim(), RequestHeaderValue, StringComparison.Ordinal);

    private bool IsAllowed(HttpContext context, out IResult? refusal)
    {
        refusal = null;
        if (RequiresAuthorization(context.GetEndpoint()))
        {
            // The authorization middleware has already applied the application's policy to this request.
            return true;
        }

        var remote = context.Connection.RemoteIpAddress;
        if (IsLocal(remote))
        {
            return true;
        }

        JobSchedulerAspNetCoreLog.RemoteRequestRefusedMessage(logger, context.Request.Method, context.Request.Path.Value, remote!.ToString());
        refusal = ApiProblems.RemoteRequestRefused(remote.ToString());
        return false;
    }
}
