using System.Collections.Concurrent;
using Cronos;

namespace JobScheduler.Scheduling;

/// <summary>
/// One <see cref="CronSchedule"/> per (expression, time zone). Schedules are immutable, so jobs on the same one share it,
/// and the timer thread reads one object for all of them instead of one per job spread over the heap (at thousands of
/// jobs due at once its time goes mostly to such cache misses). Bounded, as a guard against ever new expressions.
/// </summary>
internal static class SharedCronSchedules
{
    private const int MaxShared = 1024;
    private static readonly ConcurrentDictionary<(string Text, string ZoneId), CronSchedule> Shared = new();

    /// <summary>Returns the shared schedule for <paramref name="text"/> in <paramref name="zone"/>, parsed as <paramref name="expression"/>.</summary>
    public static CronSchedule Get(CronExpression expression, TimeZoneInfo zone, string text)
    {
        var key = (text, zone.Id);
        if (Shared.TryGetValue(key, out var schedule))
        {
            return schedule;
        }

        schedule = new CronSchedule(expression, zone, text);
        return Shared.Count < MaxShared ? Shared.GetOrAdd(key, schedule) : schedule;
    }
}
