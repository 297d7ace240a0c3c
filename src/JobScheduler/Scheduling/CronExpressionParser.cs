using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace JobScheduler.Scheduling;

/// <summary>Parses cron text with Cronos, choosing the 5- or 6-field format from the text itself.</summary>
internal static class CronExpressionParser
{
    // Parsed expressions are immutable and compare by value, so jobs with the same text share one instance: with
    // thousands of jobs on one schedule the timer thread then reads one expression, not thousands spread over the heap.
    // Bounded, as a guard against an application that reschedules to ever new expressions.
    private const int MaxShared = 1024;
    private static readonly ConcurrentDictionary<string, CronExpression> Shared = new(StringComparer.Ordinal);

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
        if (Shared.TryGetValue(trimmed, out expression))
        {
            error = null;
            return true;
        }

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
            if (Shared.Count < MaxShared)
            {
                expression = Shared.GetOrAdd(trimmed, expression);
            }

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
