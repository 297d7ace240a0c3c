using Cronos;

namespace JobScheduler.Scheduling;

/// <summary>When a job fires: a cron expression in a time zone, or a fixed-rate interval.</summary>
internal abstract class JobSchedule
{
    /// <summary>Gets the schedule as the user wrote it, for <see cref="JobInfo.Schedule"/> and logs.</summary>
    public abstract string Text { get; }

    /// <summary>Returns the first occurrence strictly after <paramref name="after"/> in UTC, or <see langword="null"/> for none.</summary>
    public abstract DateTimeOffset? GetNextOccurrence(DateTimeOffset after);
}

internal sealed class CronSchedule(CronExpression expression, TimeZoneInfo zone, string text) : JobSchedule
{
    public override string Text => text;

    public override DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        // Cronos applies the zone's DST rules: a skipped local time runs at the jump, and only interval
        // expressions repeat in a repeated hour. Computing in UTC keeps every stored time in one offset.
        var next = expression.GetNextOccurrence(after.UtcDateTime, zone);
        return next is { } utc ? new DateTimeOffset(utc, TimeSpan.Zero) : null;
    }
}

/// <summary>
/// A fixed rate: the next occurrence is one interval after the given time (the start, then each occurrence). Aligned
/// to the epoch (cluster mode), occurrences are whole multiples of the interval since 1970-01-01 UTC instead, the same
/// on every instance whenever it started.
/// </summary>
internal sealed class IntervalSchedule(TimeSpan interval, bool alignedToEpoch = false) : JobSchedule
{
    public override string Text { get; } = interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    public IntervalSchedule AlignedToEpoch() => alignedToEpoch ? this : new IntervalSchedule(interval, alignedToEpoch: true);

    public override DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        if (!alignedToEpoch)
        {
            return after.ToUniversalTime() + interval;
        }

        var sinceEpoch = after.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var periods = sinceEpoch / interval.Ticks;
        if (sinceEpoch < 0 && sinceEpoch % interval.Ticks != 0)
        {
            periods--; // floor, not truncation, so times before the epoch align too
        }

        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + ((periods + 1) * interval.Ticks), TimeSpan.Zero);
    }
}
