using System.Diagnostics.CodeAnalysis;

namespace JobScheduler.Scheduling;

/// <summary>Finds a time zone by IANA or Windows id (both resolve on Linux through ICU).</summary>
internal static class TimeZoneResolver
{
    public static bool TryFind(string id, [NotNullWhen(true)] out TimeZoneInfo? zone, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            zone = null;
            error = "the time zone id is empty";
            return false;
        }

        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            zone = TimeZoneInfo.Utc;
            error = null;
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = null;
            error = $"unknown time zone '{id}' (use an IANA id such as 'Europe/Berlin' or a Windows id)";
            return false;
        }
    }
}
