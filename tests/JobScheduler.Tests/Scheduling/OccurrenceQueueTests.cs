using JobScheduler.Execution;
using JobScheduler.Scheduling;

namespace JobScheduler.Tests.Scheduling;

/// <summary>The engine's due times: earliest first, one instant's entries in the order queued, stale entries dropped.</summary>
public sealed class OccurrenceQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static ScheduledJob Job(string name)
    {
        var definition = new JobDefinition { Name = name, JobType = typeof(OccurrenceQueueTests), TimeZoneId = "UTC" };
        return new ScheduledJob(new JobPlan(definition, Pipeline: null, new JobActivator(typeof(OccurrenceQueueTests), isService: null)));
    }

    private static List<(string Job, DateTimeOffset At)> DrainDue(OccurrenceQueue queue, DateTimeOffset now)
    {
        var drained = new List<(string, DateTimeOffset)>();
        while (queue.TryDequeueDue(now, out var entry, out var at))
        {
            drained.Add((entry.Job.Name, at));
        }

        return drained;
    }

    [Fact]
    public void Entries_ComeOutEarliestFirst_AndOneInstantInTheOrderQueued()
    {
        var queue = new OccurrenceQueue();
        var (a, b, c, d) = (Job("a"), Job("b"), Job("c"), Job("d"));
        queue.EnqueueOccurrence(c, T0.AddSeconds(2));
        queue.EnqueueOccurrence(a, T0.AddSeconds(1));
        queue.EnqueueOccurrence(b, T0.AddSeconds(1));
        queue.EnqueueOccurrence(d, T0.AddSeconds(1)); // the same instant as a and b, after another instant was queued

        Assert.Equal(4, queue.Count);
        Assert.Equal(T0.AddSeconds(1), queue.PeekTime());
        Assert.Equal([("a", T0.AddSeconds(1)), ("b", T0.AddSeconds(1)), ("d", T0.AddSeconds(1)), ("c", T0.AddSeconds(2))], DrainDue(queue, T0.AddSeconds(5)));
        Assert.Equal(0, queue.Count);
        Assert.Null(queue.PeekTime());
    }

    [Fact]
    public void TryDequeueDue_BeforeTheEarliest_TakesNothing()
    {
        var queue = new OccurrenceQueue();
        queue.EnqueueOccurrence(Job("a"), T0.AddSeconds(1));

        Assert.False(queue.TryDequeueDue(T0.AddTicks(TimeSpan.TicksPerSecond - 1), out _, out _));
        Assert.Equal(1, queue.Count);
        Assert.True(queue.TryDequeueDue(T0.AddSeconds(1), out var entry, out var at));
        Assert.Equal(("a", T0.AddSeconds(1)), (entry.Job.Name, at));
    }

    [Fact]
    public void OneInstant_InDifferentOffsets_IsOneTime_AndEachEntryKeepsItsOwnOffset()
    {
        var queue = new OccurrenceQueue();
        var paris = T0.AddSeconds(1).ToOffset(TimeSpan.FromHours(1));
        queue.EnqueueOccurrence(Job("utc"), T0.AddSeconds(1));
        queue.EnqueueOccurrence(Job("paris"), paris);

        var drained = DrainDue(queue, T0.AddSeconds(1));

        Assert.Equal(["utc", "paris"], drained.Select(d => d.Job));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromHours(1)], drained.Select(d => d.At.Offset));
    }

    [Fact]
    public void StaleEntries_OfARescheduledOrRemovedJob_AreDroppedAtTheFront()
    {
        var queue = new OccurrenceQueue();
        var (rescheduled, removed, kept) = (Job("rescheduled"), Job("removed"), Job("kept"));
        queue.EnqueueOccurrence(rescheduled, T0.AddSeconds(1));
        queue.EnqueueOccurrence(removed, T0.AddSeconds(1));
        queue.EnqueueOccurrence(kept, T0.AddSeconds(3));
        rescheduled.Version++;
        queue.EnqueueOccurrence(rescheduled, T0.AddSeconds(2));
        removed.IsRemoved = true;

        Assert.Equal(T0.AddSeconds(2), queue.PeekTime()); // both entries at +1 s were stale
        Assert.Equal(2, queue.Count);
        Assert.Equal([("rescheduled", T0.AddSeconds(2)), ("kept", T0.AddSeconds(3))], DrainDue(queue, T0.AddSeconds(9)));
    }

    [Fact]
    public void OneOffs_StayLive_WhateverTheJobsVersion()
    {
        var queue = new OccurrenceQueue();
        var job = Job("a");
        var sessionId = Guid.NewGuid();
        queue.EnqueueOneOff(job, T0, sessionId);
        job.Version++;

        Assert.True(queue.TryDequeueDue(T0, out var entry, out _));
        Assert.Equal(sessionId, entry.OneOffSessionId);
    }

    [Fact]
    public void EverySecond_DrainedAndRefilled_KeepsEveryJobInOrder()
    {
        // The pattern of jobs on one schedule: all due at once, each queued again for the next second as it fires,
        // while the instant being drained is still in the queue; emptied instants are reused for later ones.
        var queue = new OccurrenceQueue();
        var jobs = Enumerable.Range(0, 500).Select(i => Job($"job-{i}")).ToList();
        foreach (var job in jobs)
        {
            queue.EnqueueOccurrence(job, T0);
        }

        for (var second = 0; second < 30; second++)
        {
            var now = T0.AddSeconds(second);
            var fired = new List<string>();
            while (queue.TryDequeueDue(now, out var entry, out var at))
            {
                Assert.Equal(now, at);
                fired.Add(entry.Job.Name);
                queue.EnqueueOccurrence(entry.Job, at.AddSeconds(1));
            }

            Assert.Equal(jobs.Select(j => j.Name), fired);
            Assert.Equal(jobs.Count, queue.Count);
            Assert.Equal(now.AddSeconds(1), queue.PeekTime());
        }
    }
}
