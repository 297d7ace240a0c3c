using System.Net;
using System.Text.Json;

namespace JobScheduler.AspNetCore.Tests.Api;

public sealed class JobsApiTests
{
    private static Task<TestApp> CreateSut(IDictionary<string, string?>? configuration = null) => TestApp.StartAsync(
        jobs => jobs
            .AddJob<QuickJob>("0 9 * * *", job => job.WithName("morning-report").InTimeZone("Europe/Berlin"))
            .AddJob<QuickJob>(job => job.WithName("on-demand"))
            .AddJob<QuickJob>("*/5 * * * *", job => job.WithName("switched-off")),
        configuration: configuration);

    [Fact]
    public async Task GetJobs_RegisteredJobs_ListsEveryFieldInCamelCase()
    {
        await using var app = await CreateSut();

        var jobs = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/jobs"));

        Assert.Equal(["morning-report", "on-demand", "switched-off"], jobs.EnumerateArray().Select(j => j.GetProperty("name").GetString()));
        var report = jobs[0];
        Assert.Equal("0 9 * * *", report.GetProperty("schedule").GetString());
        Assert.Equal("Europe/Berlin", report.GetProperty("timeZone").GetString());
        // 09:00 in Berlin in January is 08:00 UTC; the fake clock stands at 07:30 UTC.
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero), report.GetProperty("nextRunAt").GetDateTimeOffset());
        Assert.False(report.GetProperty("isPaused").GetBoolean());
        Assert.True(report.GetProperty("isEnabled").GetBoolean());
        Assert.Equal(0, report.GetProperty("runningCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("lastSession").ValueKind);
        Assert.Equal(typeof(QuickJob).FullName, report.GetProperty("jobType").GetString());

        var onDemand = jobs[1];
        Assert.Equal(JsonValueKind.Null, onDemand.GetProperty("schedule").ValueKind);
        Assert.Equal(JsonValueKind.Null, onDemand.GetProperty("nextRunAt").ValueKind);
    }

    [Fact]
    public async Task GetJob_NameInAnotherCase_ReturnsTheJobWithItsLastSessionAndEnumsAsNames()
    {
        await using var app = await CreateSut();
        var run = await app.Scheduler.TriggerAsync("morning-report");
        await run.Completion;

        var job = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/jobs/MORNING-Report"));

        Assert.Equal("morning-report", job.GetProperty("name").GetString());
        var last = job.GetProperty("lastSession");
        Assert.Equal(run.SessionId, last.GetProperty("id").GetGuid());
        Assert.Equal("Succeeded", last.GetProperty("status").GetString());
        Assert.Equal("Manual", last.GetProperty("trigger").GetString());
        Assert.Equal(1, last.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task GetJob_UnknownJob_Returns404ProblemNamingTheJob()
    {
        await using var app = await CreateSut();

        var problem = await HttpAssert.ProblemAsync(await app.Client.GetAsync("/jobs/api/jobs/no-such-job"), HttpStatusCode.NotFound);

        Assert.Contains("'no-such-job'", problem.Detail());
        Assert.Equal("no-such-job", problem.GetProperty("job").GetString());
    }

    [Fact]
    public async Task Trigger_KnownJob_Returns202WithSessionIdAndLocationOfTheJobsHistory()
    {
        await using var app = await CreateSut();

        var response = await app.Client.SendAsync(TestApp.Post("/jobs/api/jobs/ON-DEMAND/trigger"));

        var body = await HttpAssert.JsonAsync(response, HttpStatusCode.Accepted);
        var sessionId = body.GetProperty("sessionId").GetGuid();
        Assert.Equal("on-demand", body.GetProperty("jobName").GetString());
        Assert.Equal("/jobs/api/jobs/on-demand/sessions", response.Headers.Location?.OriginalString);

        var session = await app.WaitForEndedSessionAsync("on-demand", sessionId);
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(JobTrigger.Manual, session.Trigger);

        var page = await HttpAssert.JsonAsync(await app.Client.GetAsync(response.Headers.Location));
        Assert.Equal(sessionId, page.GetProperty("sessions")[0].GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Trigger_UnknownJob_Returns404ProblemNamingTheJob()
    {
        await using var app = await CreateSut();

        var problem = await HttpAssert.ProblemAsync(
            await app.Client.SendAsync(TestApp.Post("/jobs/api/jobs/ghost/trigger")), HttpStatusCode.NotFound);

        Assert.Contains("'ghost'", problem.Detail());
    }

    [Fact]
    public async Task TriggerAndResume_JobDisabledByConfiguration_Return409ProblemSayingSo()
    {
        await using var app = await CreateSut(new Dictionary<string, string?> { ["JobScheduler:Jobs:switched-off:Enabled"] = "false" });

        var trigger = await HttpAssert.ProblemAsync(
            await app.Client.SendAsync(TestApp.Post("/jobs/api/jobs/switched-off/trigger")), HttpStatusCode.Conflict);
        var resume = await HttpAssert.ProblemAsync(
            await app.Client.SendAsync(TestApp.Post("/jobs/api/jobs/switched-off/resume")), HttpStatusCode.Conflict);

        Assert.Contains("disabled by configuration", trigger.Detail());
        Assert.Contains("disabled by configuration", resume.Detail());
        Assert.Equal("switched-off", trigger.GetProperty("job").GetString());
        Assert.Empty(await app.Store.QueryAsync(new JobSessionQuery { JobName = "switched-off" }, CancellationToken.None));
    }

    [Fact]
    public async Task PauseThenResume_ScheduledJob_ClearsAndRestoresNextRun()
    {
        await using var app = await CreateSut();

        var paused = await HttpAssert.JsonAsync(await app.Client.SendAsync(TestApp.Post("/jobs/api/jobs/morning-report/pause")));
        Assert.True(paused.GetProperty("isPaused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, paused.GetProperty("nextRunAt").ValueKind);
        Assert.True(app.Scheduler.GetJob("morning-report").IsPaused);

        // While paused, the 08:00 UTC occurrence passes; resuming schedules the next one, tomorrow.
        app.Clock!.Advance(TimeSpan.FromHours(1));
        var resumed = await HttpAssert.JsonAsync(await app.Client.SendAsync(TestApp.Post("/jobs/api/jobs/Morning-Report/resume")));

        Assert.False(resumed.GetProperty("isPaused").GetBoolean());
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 8, 0, 0, TimeSpan.Zero), resumed.GetProperty("nextRunAt").GetDateTimeOffset());
        Assert.Empty(await app.Store.QueryAsync(new JobSessionQuery { JobName = "morning-report" }, CancellationToken.None));
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    public async Task PauseOrResume_UnknownJob_Returns404(string action)
    {
        await using var app = await CreateSut();

        var problem = await HttpAssert.ProblemAsync(
            await app.Client.SendAsync(TestApp.Post($"/jobs/api/jobs/ghost/{action}")), HttpStatusCode.NotFound);

        Assert.Contains("'ghost'", problem.Detail());
    }
}
