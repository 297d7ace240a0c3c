using System.Net;
using System.Text.Json;

namespace JobScheduler.AspNetCore.Tests.Api;

public sealed class SessionsApiTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Task<TestApp> CreateSut() => TestApp.StartAsync(jobs => jobs
        .AddJob<QuickJob>(job => job.WithName("Import"))
        .AddJob<QuickJob>(job => job.WithName("export")));

    private static List<Guid> Ids(JsonElement sessions) => sessions.EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task JobSessions_BeforeCursor_PagesNewestFirstWithoutGapsOrRepeats()
    {
        await using var app = await CreateSut();
        var seeded = new List<JobSession>();
        for (var i = 0; i < 7; i++)
        {
            seeded.Add(await app.SeedAsync("Import", T0.AddMinutes(i)));
        }

        await app.SeedAsync("export", T0.AddMinutes(3));
        var newestFirst = seeded.OrderByDescending(s => s.StartedAt).Select(s => s.Id).ToList();

        var pages = new List<List<Guid>>();
        string? before = null;
        do
        {
            var url = "/jobs/api/jobs/import/sessions?limit=3" + (before is null ? "" : "&before=" + Uri.EscapeDataString(before));
            var page = await HttpAssert.JsonAsync(await app.Client.GetAsync(url));
            Assert.Equal("Import", page.GetProperty("jobName").GetString());
            pages.Add(Ids(page.GetProperty("sessions")));
            var next = page.GetProperty("nextBefore");
            before = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
        }
        while (before is not null && pages.Count < 10);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(newestFirst, pages.SelectMany(p => p));
    }

    [Fact]
    public async Task JobSessions_SessionsStartedAtTheSameInstant_AreNeverSplitAcrossPages()
    {
        await using var app = await CreateSut();
        var newest = await app.SeedAsync("Import", T0.AddMinutes(10));
        var tied = new List<JobSession>();
        for (var i = 0; i < 3; i++)
        {
            tied.Add(await app.SeedAsync("Import", T0.AddMinutes(5)));
        }

        var oldest = await app.SeedAsync("Import", T0);

        var first = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/jobs/Import/sessions?limit=2"));
        var firstIds = Ids(first.GetProperty("sessions"));
        var before = first.GetProperty("nextBefore").GetString()!;
        var second = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/jobs/Import/sessions?limit=2&before=" + Uri.EscapeDataString(before)));
        var secondIds = Ids(second.GetProperty("sessions"));

        // The page ends before the group of three rather than cutting it; the next page takes the whole group.
        Assert.Equal([newest.Id], firstIds);
        Assert.Equal(tied.Select(s => s.Id).Order(), secondIds.Order());
        var third = await HttpAssert.JsonAsync(await app.Client.GetAsync(
            "/jobs/api/jobs/Import/sessions?limit=2&before=" + Uri.EscapeDataString(second.GetProperty("nextBefore").GetString()!)));
        Assert.Equal([oldest.Id], Ids(third.GetProperty("sessions")));
        Assert.Equal(JsonValueKind.Null, third.GetProperty("nextBefore").ValueKind);
    }

    [Fact]
    public async Task JobSessions_DefaultLimit_Is50AndUnknownJobIs404()
    {
        await using var app = await CreateSut();
        for (var i = 0; i < 55; i++)
        {
            await app.SeedAsync("Import", T0.AddSeconds(i));
        }

        var page = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/jobs/import/sessions"));
        Assert.Equal(50, page.GetProperty("sessions").GetArrayLength());
        Assert.Equal(T0.AddSeconds(5), page.GetProperty("nextBefore").GetDateTimeOffset());

        var problem = await HttpAssert.ProblemAsync(await app.Client.GetAsync("/jobs/api/jobs/nobody/sessions"), HttpStatusCode.NotFound);
        Assert.Contains("'nobody'", problem.Detail());
    }

    [Fact]
    public async Task Sessions_Filters_MatchJobInAnyCaseStatusAndSince()
    {
        await using var app = await CreateSut();
        await app.SeedAsync("Import", T0);
        var failed = await app.SeedAsync("Import", T0.AddMinutes(1), JobSessionStatus.Failed, "System.InvalidOperationException: boom");
        var laterFailed = await app.SeedAsync("export", T0.AddMinutes(2), JobSessionStatus.Failed, "boom");
        var latest = await app.SeedAsync("Import", T0.AddMinutes(3));

        var all = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/sessions"));
        Assert.Equal(4, all.GetArrayLength());
        Assert.Equal(latest.Id, all[0].GetProperty("id").GetGuid());

        var failures = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/sessions?job=IMPORT&status=failed"));
        Assert.Equal([failed.Id], Ids(failures));
        Assert.Equal("Failed", failures[0].GetProperty("status").GetString());
        Assert.Equal("System.InvalidOperationException: boom", failures[0].GetProperty("error").GetString());
        Assert.Equal("00:00:01", failures[0].GetProperty("duration").GetString());

        var since = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/sessions?since=2026-01-01T00:02:00Z&limit=1"));
        Assert.Equal([latest.Id], Ids(since));

        // An unencoded '+' in an offset arrives as a space, and is read as the '+' it was.
        var offset = await HttpAssert.JsonAsync(await app.Client.GetAsync("/jobs/api/sessions?status=Failed&since=2026-01-01T01:01:30+01:00"));
        Assert.Equal([laterFailed.Id], Ids(offset));
    }

    [Fact]
    public async Task Sessions_UnknownJobFilter_Returns404NamingTheJob()
    {
        await using var app = await CreateSut();

        var problem = await HttpAssert.ProblemAsync(await app.Client.GetAsync("/jobs/api/sessions?job=typo"), HttpStatusCode.NotFound);

        Assert.Contains("'typo'", problem.Detail());
    }

    [Theory]
    [InlineData("/jobs/api/sessions?status=Bogus", "status", "Bogus")]
    [InlineData("/jobs/api/sessions?status=3", "status", "3")]
    [InlineData("/jobs/api/sessions?since=yesterday", "since", "yesterday")]
    [InlineData("/jobs/api/sessions?limit=0", "limit", "0")]
    [InlineData("/jobs/api/sessions?limit=1001", "limit", "1001")]
    [InlineData("/jobs/api/sessions?limit=ten", "limit", "ten")]
    [InlineData("/jobs/api/sessions?limit=-5", "limit", "-5")]
    [InlineData("/jobs/api/sessions?limit=5&limit=6", "limit", "5,6")]
    [InlineData("/jobs/api/jobs/import/sessions?limit=1001", "limit", "1001")]
    [InlineData("/jobs/api/jobs/import/sessions?before=2026-13-45", "before", "2026-13-45")]
    public async Task Query_BadValue_Returns400ProblemNamingParameterAndValue(string url, string parameter, string value)
    {
        await using var app = await CreateSut();

        var problem = await HttpAssert.ProblemAsync(await app.Client.GetAsync(url), HttpStatusCode.BadRequest);

        Assert.Contains($"'{parameter}'", problem.Detail());
        Assert.Contains($"'{value}'", problem.Detail());
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Equal(value, problem.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Query_UnknownStatus_ListsTheValidOnes()
    {
        await using var app = await CreateSut();

        var problem = await HttpAssert.ProblemAsync(await app.Client.GetAsync("/jobs/api/sessions?status=Done"), HttpStatusCode.BadRequest);

        Assert.Contains("Running, Succeeded, Failed, TimedOut, Cancelled, Skipped, Abandoned", problem.Detail());
    }
}
