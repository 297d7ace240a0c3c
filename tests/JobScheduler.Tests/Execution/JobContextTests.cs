using JobScheduler.Tests.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// What a job sees in its <see cref="JobContext"/> and what its <see cref="JobSession"/> records: the same session id,
/// occurrence, start, trigger and attempt; the instance id; metadata the job wrote; the error text.
/// </summary>
public sealed class JobContextTests
{
    [Fact]
    public async Task ScheduledRun_ContextAndSession_DescribeTheSameAttempt()
    {
        var probe = new RunProbe
        {
            Body = async (context, time, ct) =>
            {
                context.Metadata["processed"] = "42";
                context.Metadata["source"] = context.JobName;
                await Task.Delay(TimeSpan.FromSeconds(7), time, ct);
            },
        };
        await using var host = await StartAsync(
            probe, b => b.AddJob<ProbeJob>("0 9 * * *", j => j.WithName("report")).Configure(o => o.InstanceId = "node-7"));

        await host.AdvanceToAsync(At("2026-01-01 09:01Z"));

        var call = Assert.Single(probe.Calls);
        var session = Assert.Single(await host.GetSessionsAsync("report"));
        Assert.Equal("report", call.JobName);
        Assert.Equal(session.Id, call.SessionId);
        Assert.Equal(At("2026-01-01 09:00Z"), call.ScheduledAt);
        Assert.Equal(At("2026-01-01 09:00Z"), call.StartedAt);
        Assert.Equal(JobTrigger.Scheduled, call.Trigger);
        Assert.Equal(1, call.Attempt);

        Assert.Equal("report", session.JobName);
        Assert.Equal(call.ScheduledAt, session.ScheduledAt);
        Assert.Equal(call.StartedAt, session.StartedAt);
        Assert.Equal(At("2026-01-01 09:00:07Z"), session.EndedAt);
        Assert.Equal(TimeSpan.FromSeconds(7), session.Duration);
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(JobTrigger.Scheduled, session.Trigger);
        Assert.Equal(1, session.Attempt);
        Assert.Equal("node-7", session.InstanceId);
        Assert.Null(session.Error);
        Assert.Equal(new Dictionary<string, string> { ["processed"] = "42", ["source"] = "report" }, session.Metadata);
    }

    [Fact]
    public async Task RunningSession_BeforeTheJobEnds_IsRecordedRunningWithTheContextsId()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(10)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("long")));

        var handle = await host.Scheduler.TriggerAsync("long");
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var running = Assert.Single(await host.Store.GetRunningSessionsAsync());
        Assert.Equal(handle.SessionId, running.Id);
        Assert.Equal(Assert.Single(probe.Calls).SessionId, running.Id);
        Assert.Equal(JobSessionStatus.Running, running.Status);
        Assert.Equal(Start, running.StartedAt);
        Assert.Null(running.EndedAt);
        Assert.Null(running.Duration);
        Assert.Equal(JobTrigger.Manual, running.Trigger);
    }

    [Fact]
    public async Task Metadata_FailedAttempts_AreSavedPerAttempt()
    {
        var probe = new RunProbe
        {
            Body = (context, _, _) =>
            {
                Assert.Empty(context.Metadata); // a new context per attempt
                context.Metadata["attempt"] = context.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return context.Attempt < 3 ? throw new InvalidOperationException("try again") : Task.CompletedTask;
            },
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job").WithRetry(2, TimeSpan.FromSeconds(1))));

        await host.RunJobAsync("job");

        var sessions = await host.SessionsByOccurrenceAsync("job");
        Assert.Equal(["1", "2", "3"], sessions.Select(s => s.Metadata["attempt"]));
        Assert.Equal([JobSessionStatus.Failed, JobSessionStatus.Failed, JobSessionStatus.Succeeded], sessions.Select(s => s.Status));
        Assert.All(sessions, s => Assert.Single(s.Metadata));
    }

    [Fact]
    public async Task ContextKeptPastItsAttempt_StillDescribesThatAttempt_AndLateMetadataChangesNoSession()
    {
        // A context reads the run's job, occurrence and trigger from the run, and keeps its own attempt's number, id and
        // start: a job that holds on to the context of a failed attempt must still see that attempt, not the retry.
        var contexts = new List<JobContext>();
        var probe = new RunProbe
        {
            Body = (context, _, _) =>
            {
                lock (contexts)
                {
                    contexts.Add(context);
                }

                context.Metadata["attempt"] = context.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return context.Attempt == 1 ? throw new InvalidOperationException("try again") : Task.CompletedTask;
            },
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job").WithRetry(1, TimeSpan.FromSeconds(1))));

        await host.RunJobAsync("job");
        foreach (var kept in contexts)
        {
            kept.Metadata["late"] = "written after the attempt ended";
        }

        var sessions = await host.SessionsByOccurrenceAsync("job");
        Assert.Equal(2, contexts.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(i + 1, contexts[i].Attempt);
            Assert.Equal(sessions[i].Id, contexts[i].SessionId);
            Assert.Equal(sessions[i].StartedAt, contexts[i].StartedAt);
            Assert.Equal(sessions[i].ScheduledAt, contexts[i].ScheduledAt);
            Assert.Equal("job", contexts[i].JobName);
            Assert.Equal(JobTrigger.Manual, contexts[i].Trigger);
            Assert.Equal(new Dictionary<string, string> { ["attempt"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }, sessions[i].Metadata);
        }

        var last = host.Scheduler.GetJob("job").LastSession!;
        Assert.Equal(sessions[1], last with { Metadata = sessions[1].Metadata });
        Assert.Equal(sessions[1].Metadata, last.Metadata);
    }

    [Fact]
    public async Task Metadata_NoneWritten_IsEmpty()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job")));

        var session = await host.RunJobAsync("job");

        Assert.Empty(session.Metadata);
    }

    [Fact]
    public async Task Context_Services_IsTheAttemptsScope()
    {
        IServiceProvider? seen = null;
        var probe = new RunProbe
        {
            Body = (context, _, _) =>
            {
                seen = context.Services;
                return Task.CompletedTask;
            },
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job")));

        await host.RunJobAsync("job");

        Assert.NotNull(seen);
        Assert.NotSame(host.Services, seen);
        Assert.Throws<ObjectDisposedException>(() => seen.GetService(typeof(RunProbe)));
    }

    [Fact]
    public async Task Error_JobThrows_SessionErrorHasTypeAndMessage()
    {
        var probe = new RunProbe { Body = RunProbe.Fails("disk is full") };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job")));

        var session = await host.RunJobAsync("job");

        Assert.Equal(JobSessionStatus.Failed, session.Status);
        Assert.Contains(nameof(InvalidOperationException), session.Error, StringComparison.Ordinal);
        Assert.Contains("disk is full", session.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_LongerThanMaxErrorLength_IsCut()
    {
        var probe = new RunProbe { Body = RunProbe.Fails(new string('x', 10_000)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job")).Configure(o => o.MaxErrorLength = 500));

        var session = await host.RunJobAsync("job");

        Assert.NotNull(session.Error);
        Assert.Equal(500, session.Error.Length);
        Assert.StartsWith(typeof(InvalidOperationException).FullName!, session.Error, StringComparison.Ordinal);
    }

    private sealed class RecordingObserver : IJobRunObserver
    {
        private readonly List<(string Event, JobSession Session)> _events = [];

        public IReadOnlyList<(string Event, JobSession Session)> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public ValueTask OnRunStartedAsync(JobSession session, CancellationToken cancellationToken)
        {
            lock (_events)
            {
                _events.Add(("started", session));
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask OnRunEndedAsync(JobSession session, CancellationToken cancellationToken)
        {
            lock (_events)
            {
                _events.Add(("ended", session));
            }

            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Observer_EachAttempt_SeesStartThenEnd()
    {
        var observer = new RecordingObserver();
        var probe = new RunProbe { Body = (context, _, _) => context.Attempt == 1 ? throw new InvalidOperationException("x") : Task.CompletedTask };
        await using var host = await StartAsync(
            probe, b => b.AddJob<ProbeJob>(j => j.WithName("job").WithRetry(1, TimeSpan.FromSeconds(1))), services: s => s.AddSingleton<IJobRunObserver>(observer));

        await host.RunJobAsync("job");

        Assert.Equal(
            [("started", 1, JobSessionStatus.Running), ("ended", 1, JobSessionStatus.Failed), ("started", 2, JobSessionStatus.Running), ("ended", 2, JobSessionStatus.Succeeded)],
            observer.Events.Select(e => (e.Event, e.Session.Attempt, e.Session.Status)));
        Assert.Equal(probe.Calls.Select(c => c.SessionId), observer.Events.Where(e => e.Event == "started").Select(e => e.Session.Id));
    }
}
