using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace JobScheduler.Scheduling;

/// <summary>Parses cron text with Cronos, choosing the 5- or 6-field format from the text itself.</summary>
internal static class CronExpressionParser
{
    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why, without naming the job.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CronExpression? expression, [NotNullWhen(false)] out string? error)
    {
        expression = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the cron expression is empty";
            return false;
        }

        var trimmed = text.Trim();
        CronFormat format;
        if (trimmed.StartsWith('@'))
        {
            format = CronFormat.Standard; // Cronos expands macros itself, @every_second included.
        }
        else
        {
            var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            switch (fields)
            {
                case 5: format = CronFormat.Standard; break;
                case 6: format = CronFormat.IncludeSeconds; break;
                default:
                    // Cronos would blame an unrelated field here, so say what is really wrong.
                    error = $"cron expression '{text}' has {fields} fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)";
                    return false;
            }
        }

        try
        {
            expression = CronExpression.Parse(trimmed, format);
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"invalid cron expression '{text}': {ex.Message}";
        }
        catch (MissingSeedException ex)
        {
            error = $"invalid cron expression '{text}': {ex.Message}";
        }

        return false;
    }
}
