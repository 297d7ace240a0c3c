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

    // Keyed by a class, not a value tuple: a dictionary over a struct key is compiled anew for it at start-up (18 methods,
    // ~4 ms of JIT in W4), while one over reference types shares the runtime's precompiled code.
    private static readonly ConcurrentDictionary<Key, CronSchedule> Shared = new();

    /// <summary>Returns the shared schedule for <paramref name="text"/> in <paramref name="zone"/>, parsed as <paramref name="expression"/>.</summary>
    public static CronSchedule Get(CronExpression expression, TimeZoneInfo zone, string text)
    {
        var key = new Key(text, zone.Id);
        if (Shared.TryGetValue(key, out var schedule))
        {
            return schedule;
        }

        schedule = new CronSchedule(expression, zone, text);
        return Shared.Count < MaxShared ? Shared.GetOrAdd(key, schedule) : schedule;
    }

    private sealed record Key(string Text, string ZoneId);
}
