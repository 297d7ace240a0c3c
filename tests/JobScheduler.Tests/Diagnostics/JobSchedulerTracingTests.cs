using System.Diagnostics;
using System.Globalization;

namespace JobScheduler.Tests.Diagnostics;

public sealed class JobSchedulerTracingTests
{
    private const string ChildSourceName = "JobScheduler.Tests.Child";
    private static readonly ActivitySource ChildSource = new(ChildSourceName);

    [Fact]
    public async Task Attempt_Succeeds_OneRootSpanWithTheRunsTags()
    {
        using var spans = new SpanRecorder();
        var name = DiagnosticsHost.UniqueName("report");
        await using var host = await DiagnosticsHost.StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>("0 10 * * *", j => j.WithName(name)));

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddHours(1));

        var span = Assert.Single(spans.Of(name));
        var session = Assert.Single(await host.GetSessionsAsync(name));
        Assert.Equal($"job {name}", span.DisplayName);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.Null(span.ParentId);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal(name, span.GetTagItem("job.name"));
        Assert.Equal(1, span.GetTagItem("job.attempt"));
        Assert.Equal("scheduled", span.GetTagItem("job.trigger"));
        Assert.Equal(session.Id.ToString(), span.GetTagItem("job.session_id"));
        Assert.Equal("2026-01-01T10:00:00.0000000+00:00", span.GetTagItem("job.scheduled_at"));
        Assert.Equal("succeeded", span.GetTagItem("job.status"));
    }

    [Fact]
    public async Task Attempt_Fails_ErrorStatusAndExceptionEvent()
    {
        using var spans = new SpanRecorder();
        var name = DiagnosticsHost.UniqueName("sync");
        var bodies = new JobBodies().On(name, JobBodies.Fails("database unreachable"));
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName(name)));

        await host.RunJobAsync(name);

        var span = Assert.Single(spans.Of(name));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("database unreachable", span.StatusDescription);
        Assert.Equal("failed", span.GetTagItem("job.status"));
        var exception = Assert.Single(span.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Contains(exception.Tags, t => t.Key == "exception.type" && Equals(t.Value, typeof(InvalidOperationException).FullName));
        Assert.Contains(exception.Tags, t => t.Key == "exception.message" && Equals(t.Value, "database unreachable"));
    }

    [Fact]
    public async Task Attempt_TimesOut_ErrorStatusNamesTheTimeout()
    {
        using var spans = new SpanRecorder();
        var name = DiagnosticsHost.UniqueName("slow");
        var bodies = new JobBodies().On(name, JobBodies.Takes(TimeSpan.FromMinutes(1)));
        await using var host = await DiagnosticsHost.StartAsync(
            bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName(name).WithTimeout(TimeSpan.FromSeconds(5))));

        await host.RunJobAsync(name);

        var span = Assert.Single(spans.Of(name));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("The job exceeded its timeout of 00:00:05.", span.StatusDescription);
        Assert.Equal("timed_out", span.GetTagItem("job.status"));
        Assert.Empty(span.Events); // the job honoured cancellation: nothing to record but the timeout
    }

    [Fact]
    public async Task Retries_OneSpanPerAttempt()
    {
        using var spans = new SpanRecorder();
        var name = DiagnosticsHost.UniqueName("flaky");
        var bodies = new JobBodies().On(name, JobBodies.FailsFirst(2));
        await using var host = await DiagnosticsHost.StartAsync(
            bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName(name).WithRetry(2, TimeSpan.FromSeconds(10))));

        await host.RunJobAsync(name);

        var attempts = spans.Of(name);
        var sessions = await host.GetSessionsAsync(name);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetTagItem("job.attempt")));
        Assert.Equal([ActivityStatusCode.Error, ActivityStatusCode.Error, ActivityStatusCode.Unset], attempts.Select(a => a.Status));
        Assert.Equal(sessions.Select(s => s.Id.ToString()), attempts.Select(a => a.GetTagItem("job.session_id")));
        Assert.Equal(3, attempts.Select(a => a.TraceId).Distinct().Count());
        Assert.All(attempts, a => Assert.Null(a.ParentId));
    }

    [Fact]
    public async Task Job_StartsAnActivity_ItIsAChildOfTheAttemptSpan()
    {
        using var spans = new SpanRecorder(ChildSourceName);
        var name = DiagnosticsHost.UniqueName("caller");
        var bodies = new JobBodies().On(name, async (_, time, ct) =>
        {
            using var outgoing = ChildSource.StartActivity("GET /api");
            outgoing?.SetTag("test.job", name);
            await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
        });
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName(name)));

        await host.RunJobAsync(name);

        var attempt = Assert.Single(spans.Of(name));
        var child = Assert.Single(spans.FromSource(ChildSourceName), a => Equals(a.GetTagItem("test.job"), name));
        Assert.Equal(attempt.SpanId, child.ParentSpanId);
        Assert.Equal(attempt.TraceId, child.TraceId);
    }

    [Fact]
    public async Task ManualTrigger_FromInsideASpan_RunIsARootLinkedToIt()
    {
        using var spans = new SpanRecorder(ChildSourceName);
        var name = DiagnosticsHost.UniqueName("manual");
        await using var host = await DiagnosticsHost.StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>(j => j.WithName(name)));

        ActivityContext request;
        using (var incoming = ChildSource.StartActivity("POST /jobs/run"))
        {
            Assert.NotNull(incoming);
            request = incoming.Context;
            await host.RunJobAsync(name);
            Assert.Same(incoming, Activity.Current); // the trigger left the caller's span alone
        }

        var span = Assert.Single(spans.Of(name));
        Assert.Null(span.ParentId);
        Assert.NotEqual(request.TraceId, span.TraceId);
        Assert.Equal("manual", span.GetTagItem("job.trigger"));
        var link = Assert.Single(span.Links);
        Assert.Equal(request.TraceId, link.Context.TraceId);
        Assert.Equal(request.SpanId, link.Context.SpanId);
    }

    [Fact]
    public async Task ScheduledRun_HasNoLink()
    {
        using var spans = new SpanRecorder();
        var name = DiagnosticsHost.UniqueName("scheduled");
        await using var host = await DiagnosticsHost.StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>("0 10 * * *", j => j.WithName(name)));

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddHours(1));

        Assert.Empty(Assert.Single(spans.Of(name)).Links);
    }

    [Fact]
    public async Task SkippedOccurrence_ZeroLengthSpanWithSkippedStatus()
    {
        using var spans = new SpanRecorder();
        var name = DiagnosticsHost.UniqueName("every-minute");
        var bodies = new JobBodies().On(name, JobBodies.Takes(TimeSpan.FromSeconds(90)));
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>("* * * * *", j => j.WithName(name)));

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddMinutes(2));

        var skipped = Assert.Single(spans.Of(name)); // the 09:01 attempt has not ended yet
        Assert.Equal("skipped", skipped.GetTagItem("job.status"));
        Assert.Equal("2026-01-01T09:02:00.0000000+00:00", skipped.GetTagItem("job.scheduled_at"));
        Assert.Null(skipped.GetTagItem("job.attempt"));
        Assert.Equal(ActivityStatusCode.Unset, skipped.Status);
        Assert.Null(skipped.ParentId);
    }

    [Fact]
    public async Task Span_OnlyWhileTheJobRuns_ActivityCurrentIsTheSpan()
    {
        using var spans = new SpanRecorder();
        var name = DiagnosticsHost.UniqueName("current");
        Activity? seen = null;
        var bodies = new JobBodies().On(name, (_, _, _) =>
        {
            seen = Activity.Current;
            return Task.CompletedTask;
        });
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName(name)));

        await host.RunJobAsync(name);

        Assert.Same(Assert.Single(spans.Of(name)), seen);
        Assert.Null(Activity.Current);
        Assert.True(seen!.Duration >= TimeSpan.Zero);
        Assert.Equal(
            DateTimeOffset.Parse("2026-01-01T09:00:00Z", CultureInfo.InvariantCulture).ToString("O", CultureInfo.InvariantCulture),
            seen.GetTagItem("job.scheduled_at"));
    }
}
