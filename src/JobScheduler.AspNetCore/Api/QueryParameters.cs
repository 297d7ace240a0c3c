using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace JobScheduler.AspNetCore.Api;

/// <summary>
/// Reads the API's query parameters. A missing or empty parameter takes its default; a bad value, or a parameter given
/// twice, is a 400 problem that names the parameter and the value.
/// </summary>
internal static class QueryParameters
{
    /// <summary>The largest <c>limit</c> a request may ask for.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The <c>limit</c> when a request gives none.</summary>
    public const int DefaultLimit = 50;

    private const string TimeExpectation = "an ISO 8601 date and time such as 2026-01-05T09:00:00Z (a time without an offset is UTC)";

    private static readonly string StatusExpectation =
        "one of " + string.Join(", ", Enum.GetNames<JobSessionStatus>());

    public static bool TryGetLimit(HttpRequest request, out int limit, [NotNullWhen(false)] out IResult? problem)
    {
        limit = DefaultLimit;
        if (!TryGetSingle(request, "limit", out var text, out problem))
        {
            return false;
        }

        if (text is null)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit)
        {
            problem = ApiProblems.InvalidQuery("limit", text, $"an integer from 1 to {MaxLimit.ToString(CultureInfo.InvariantCulture)}");
            return false;
        }

        return true;
    }

    public static bool TryGetTime(HttpRequest request, string name, out DateTimeOffset? time, [NotNullWhen(false)] out IResult? problem)
    {
        time = null;
        if (!TryGetSingle(request, name, out var text, out problem))
        {
            return false;
        }

        if (text is null)
        {
            return true;
        }

        const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal;
        // An unencoded '+' in an offset arrives as a space ("09:00:00 01:00"): read it as the '+' it was.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var parsed)
            || DateTimeOffset.TryParse(text.Replace(' ', '+'), CultureInfo.InvariantCulture, styles, out parsed))
        {
            time = parsed;
            return true;
        }

        problem = ApiProblems.InvalidQuery(name, text, TimeExpectation);
        return false;
    }

    public static bool TryGetStatus(HttpRequest request, out JobSessionStatus? status, [NotNullWhen(false)] out IResult? problem)
    {
        status = null;
        if (!TryGetSingle(request, "status", out var text, out problem))
        {
            return false;
        }

        if (text is null)
        {
            return true;
        }

        // Names only: Enum.TryParse would also take "3" or "99".
        foreach (var value in Enum.GetValues<JobSessionStatus>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                status = value;
                return true;
            }
        }

        problem = ApiProblems.InvalidQuery("status", text, StatusExpectation);
        return false;
    }

    public static bool TryGetText(HttpRequest request, string name, out string? text, [NotNullWhen(false)] out IResult? problem)
        => TryGetSingle(request, name, out text, out problem);

    private static bool TryGetSingle(HttpRequest request, string name, out string? text, [NotNullWhen(false)] out IResult? problem)
    {
        text = null;
        problem = null;
        var values = request.Query[name];
        if (values.Count > 1)
        {
            problem = ApiProblems.InvalidQuery(name, values.ToString(), "given once");
            return false;
        }

        var value = values.Count == 1 ? values[0]?.Trim() : null;
        text = string.IsNullOrEmpty(value) ? null : value;
        return true;
    }
}
