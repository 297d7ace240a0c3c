namespace JobScheduler.AspNetCore.Api;

/// <summary>
/// Reads a job's history a page at a time with a <see cref="JobSession.StartedAt"/> cursor: a page holds the newest
/// sessions that started before the cursor, and its last session's start is the next cursor. Unlike offset paging, new
/// runs arriving while someone pages back do not shift the pages, so nothing is shown twice.
/// </summary>
/// <remarks>
/// <see cref="IJobSessionStore"/> filters by a lower bound on <see cref="JobSession.StartedAt"/> only, so an older page
/// reads the newest sessions and keeps those before the cursor, widening the read until the page is full. The widest
/// read is <see cref="MaxScan"/> sessions: pages reach back that far into a job's history.
/// </remarks>
internal static class SessionPager
{
    /// <summary>How many of a job's newest sessions one request reads at most.</summary>
    public const int MaxScan = 10_000;

    public static async ValueTask<JobSessionPage> ReadPageAsync(
        IJobSessionStore store, string jobName, int limit, DateTimeOffset? before, CancellationToken cancellationToken)
    {
        // One more than the page, to know whether an older page exists and whether the page ends inside a group of
        // sessions that started at the same instant.
        var window = before is null ? limit + 1 : Math.Min(MaxScan, Math.Max(4 * (limit + 1), 200));
        while (true)
        {
            var newest = await store.QueryAsync(new JobSessionQuery { JobName = jobName, Limit = window }, cancellationToken)
                .ConfigureAwait(false);
            var exhausted = newest.Count < window;
            var older = before is { } cursor ? newest.Where(s => s.StartedAt < cursor).ToList() : newest.ToList();
            if (older.Count > limit || exhausted || window >= MaxScan)
            {
                return Cut(jobName, older, limit, hasMore: !exhausted || older.Count > limit);
            }

            window = (int)Math.Min(MaxScan, 4L * window);
        }
    }

    private static JobSessionPage Cut(string jobName, List<JobSession> older, int limit, bool hasMore)
    {
        if (older.Count <= limit)
        {
            return new JobSessionPage(jobName, older, hasMore && older.Count > 0 ? older[^1].StartedAt : null);
        }

        // Never split sessions that started at the same instant: the cursor is a time, so the rest of such a group
        // would be lost. End the page before the group, or, when the whole page is one group, take the group.
        var boundary = older[limit - 1].StartedAt;
        var count = limit;
        if (older[limit].StartedAt == boundary)
        {
            count = limit - 1;
            while (count > 0 && older[count - 1].StartedAt == boundary)
            {
                count--;
            }

            if (count == 0)
            {
                count = limit;
                while (count < older.Count && older[count].StartedAt == boundary)
                {
                    count++;
                }
            }
        }

        var page = older.GetRange(0, count);
        var more = count < older.Count || hasMore;
        return new JobSessionPage(jobName, page, more ? page[^1].StartedAt : null);
    }
}
