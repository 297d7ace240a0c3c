using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace JobScheduler.AspNetCore.Dashboard;

/// <summary>
/// Serves the dashboard: one HTML page and its script and style sheet, embedded in this assembly. The page is
/// rendered with the path it was requested at, so its links work under any prefix and path base.
/// </summary>
internal sealed class DashboardEndpoints
{
    private const string ResourcePrefix = "JobScheduler.AspNetCore.Dashboard.";
    private const string BasePlaceholder = "{{base}}";

    /// <summary>
    /// Scripts, styles and API calls from this origin only; no inline code, no framing (clickjacking), no form posts.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly string _pageTemplate;
    private readonly Dictionary<string, Asset> _assets;

    public DashboardEndpoints()
    {
        _pageTemplate = Encoding.UTF8.GetString(ReadResource("index.html"));
        _assets = new Dictionary<string, Asset>(StringComparer.Ordinal)
        {
            ["dashboard.js"] = Asset.Create(ReadResource("dashboard.js"), "text/javascript; charset=utf-8"),
            ["dashboard.css"] = Asset.Create(ReadResource("dashboard.css"), "text/css; charset=utf-8"),
        };
    }

    /// <summary><c>GET {prefix}</c> (and <c>{prefix}/</c>): the page.</summary>
    public Task GetPageAsync(HttpContext context)
    {
        var request = context.Request;
        var basePath = (request.PathBase + request.Path).Value?.TrimEnd('/') ?? string.Empty;
        var page = _pageTemplate.Replace(BasePlaceholder, HtmlEncoder.Default.Encode(basePath), StringComparison.Ordinal);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.WriteAsync(page, Encoding.UTF8, context.RequestAborted);
    }

    /// <summary><c>GET {prefix}/assets/{file}</c>: the script or the style sheet, revalidated by ETag.</summary>
    public Task GetAssetAsync(HttpContext context)
    {
        var file = Convert.ToString(context.Request.RouteValues["file"], CultureInfo.InvariantCulture);
        var response = context.Response;
        if (file is null || !_assets.TryGetValue(file, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } ifNoneMatch
            && ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(asset.Tag, useStrongComparison: false)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The dashboard resource '{ResourcePrefix}{name}' is missing from {typeof(DashboardEndpoints).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue Tag)
    {
        public string ETag => Tag.ToString();

        public static Asset Create(byte[] content, string contentType)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8));
            return new Asset(content, contentType, new EntityTagHeaderValue($"\"{hash}\""));
        }
    }
}
