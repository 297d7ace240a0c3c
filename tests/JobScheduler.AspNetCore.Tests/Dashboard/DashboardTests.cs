using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.AspNetCore.Tests.Dashboard;

public sealed class DashboardTests
{
    private static void Jobs(IJobSchedulerBuilder jobs) => jobs.AddJob<QuickJob>("0 9 * * *", job => job.WithName("nightly"));

    [Theory]
    [InlineData("/jobs")]
    [InlineData("/jobs/")]
    [InlineData("/JOBS")]
    public async Task Page_AtThePrefix_ServesHtmlThatLinksItsAssetsAndApiUnderThePrefix(string path)
    {
        await using var app = await TestApp.StartAsync(Jobs);

        var response = await app.Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var basePath = path.TrimEnd('/');
        Assert.Contains($"src=\"{basePath}/assets/dashboard.js\"", html);
        Assert.Contains($"href=\"{basePath}/assets/dashboard.css\"", html);
        Assert.Contains($"data-api=\"{basePath}/api\"", html);
        Assert.Contains("data-testid=\"jobs-table\"", html);
        Assert.Contains("data-testid=\"sessions-table\"", html);
        Assert.DoesNotContain("{{base}}", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("dashboard.js", "text/javascript", "X-JobScheduler-Request")]
    [InlineData("dashboard.css", "text/css", "--succeeded")]
    public async Task Asset_Embedded_IsServedWithAnETagAndRevalidated(string file, string mediaType, string content)
    {
        await using var app = await TestApp.StartAsync(Jobs);

        var response = await app.Client.GetAsync($"/jobs/assets/{file}");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, text);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);

        var again = new HttpRequestMessage(HttpMethod.Get, $"/jobs/assets/{file}");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await app.Client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task Asset_Unknown_Returns404()
    {
        await using var app = await TestApp.StartAsync(Jobs);

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/jobs/assets/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/jobs/assets/..%2Fsecrets.json")).StatusCode);
    }

    [Fact]
    public async Task MapJobScheduler_CustomPrefixUnderAPathBase_ServesPageAndApiThere()
    {
        await using var app = await TestApp.StartAsync(Jobs, map: app =>
        {
            app.UsePathBase("/myapp");
            app.UseRouting();
            app.MapJobScheduler("/ops/scheduler/");
        });

        var html = await (await app.Client.GetAsync("/myapp/ops/scheduler")).Content.ReadAsStringAsync();
        var jobs = await HttpAssert.JsonAsync(await app.Client.GetAsync("/myapp/ops/scheduler/api/jobs"));
        var trigger = await app.Client.SendAsync(TestApp.Post("/myapp/ops/scheduler/api/jobs/nightly/trigger"));

        Assert.Contains("data-api=\"/myapp/ops/scheduler/api\"", html);
        Assert.Equal("nightly", jobs[0].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        Assert.Equal("/myapp/ops/scheduler/api/jobs/nightly/sessions", trigger.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task MapJobScheduler_RootPrefix_ServesPageAtTheRoot()
    {
        await using var app = await TestApp.StartAsync(Jobs, map: app => app.MapJobScheduler("/"));

        var html = await (await app.Client.GetAsync("/")).Content.ReadAsStringAsync();
        var jobs = await HttpAssert.JsonAsync(await app.Client.GetAsync("/api/jobs"));

        Assert.Contains("src=\"/assets/dashboard.js\"", html);
        Assert.Contains("data-api=\"/api\"", html);
        Assert.Equal(1, jobs.GetArrayLength());
    }

    [Fact]
    public void MapJobScheduler_WithoutAddJobScheduler_ThrowsSayingWhatToCall()
    {
        var app = WebApplication.CreateSlimBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapJobScheduler());

        Assert.Contains("AddJobScheduler()", error.Message);
    }

    [Fact]
    public void MapJobScheduler_PrefixWithoutLeadingSlash_ThrowsNamingIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddJobScheduler();
        var app = builder.Build();

        var error = Assert.Throws<ArgumentException>(() => app.MapJobScheduler("jobs"));

        Assert.Equal("prefix", error.ParamName);
        Assert.Contains("\"jobs\"", error.Message);
    }
}
