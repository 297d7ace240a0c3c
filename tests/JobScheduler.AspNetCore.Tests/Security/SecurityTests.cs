using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace JobScheduler.AspNetCore.Tests.Security;

public sealed class SecurityTests(ITestOutputHelper output)
{
    private const string Policy = "JobSchedulerAdmins";

    private static void Jobs(IJobSchedulerBuilder jobs) => jobs
        .AddJob<QuickJob>("0 9 * * *", job => job.WithName("nightly"))
        .AddJob<QuickJob>(job => job.WithName("on-demand"));

    /// <summary>An app with a header-based authentication scheme and a policy that requires the role "ops".</summary>
    private static void AddAuthentication(WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy(Policy, p => p.RequireRole("ops")));
    }

    /// <summary>Makes every request look as if it came from another machine, whatever address it really came from.</summary>
    private static void FromElsewhere(WebApplication app)
        => app.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
            return next(context);
        });

    [Fact]
    public async Task RemoteAddress_NoAuthorizationRequired_Gets403ProblemExplainingHowToOpenUp()
    {
        var external = TestApp.NonLoopbackIPv4();
        if (external is null)
        {
            // Covered without a second interface by RemoteAddressSeenByTheApp_NoAuthorizationRequired_Gets403.
            output.WriteLine("This machine has no non-loopback IPv4 address: the real remote-address check was not run.");
            return;
        }

        await using var app = await TestApp.StartAsync(Jobs, bindNonLoopback: true);
        var remote = app.RemoteClient!;
        output.WriteLine($"Calling through {app.RemoteAddress}");

        foreach (var path in new[] { "/jobs", "/jobs/assets/dashboard.js", "/jobs/api/jobs", "/jobs/api/sessions" })
        {
            var problem = await HttpAssert.ProblemAsync(await remote.GetAsync(path), HttpStatusCode.Forbidden);
            Assert.Contains("RequireAuthorization", problem.Detail());
            Assert.Contains(external.ToString(), problem.Detail());
        }

        await HttpAssert.ProblemAsync(await remote.SendAsync(TestApp.Post("/jobs/api/jobs/on-demand/trigger")), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await remote.SendAsync(TestApp.Post("/jobs/api/jobs/nightly/pause")), HttpStatusCode.Forbidden);
        Assert.False(app.Scheduler.GetJob("nightly").IsPaused);
        Assert.Empty(await app.Store.QueryAsync(new JobSessionQuery(), CancellationToken.None));

        // The same app through loopback.
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/jobs/api/jobs")).StatusCode);
    }

    [Fact]
    public async Task RemoteAddressSeenByTheApp_NoAuthorizationRequired_Gets403()
    {
        await using var app = await TestApp.StartAsync(Jobs, map: app =>
        {
            FromElsewhere(app);
            app.MapJobScheduler();
        });

        var problem = await HttpAssert.ProblemAsync(await app.Client.GetAsync("/jobs/api/jobs"), HttpStatusCode.Forbidden);

        Assert.Contains("203.0.113.7", problem.Detail());
        Assert.Equal("203.0.113.7", problem.GetProperty("remoteAddress").GetString());
    }

    [Fact]
    public async Task RemoteAddress_RequireAuthorization_IsServedAccordingToThePolicy()
    {
        var external = TestApp.NonLoopbackIPv4();
        await using var app = await TestApp.StartAsync(
            Jobs,
            configure: AddAuthentication,
            map: app =>
            {
                if (external is null)
                {
                    FromElsewhere(app);
                }

                app.MapJobScheduler().RequireAuthorization(Policy);
            },
            bindNonLoopback: true);
        var remote = app.RemoteClient ?? app.Client;
        output.WriteLine($"Calling through {remote.BaseAddress}");

        HttpRequestMessage Get(string path, string? user, string? roles = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (user is not null)
            {
                request.Headers.Add(HeaderAuthenticationHandler.UserHeader, user);
                request.Headers.Add(HeaderAuthenticationHandler.RolesHeader, roles ?? "");
            }

            return request;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await remote.SendAsync(Get("/jobs/api/jobs", user: null))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await remote.SendAsync(Get("/jobs/api/jobs", "guest", "viewer"))).StatusCode);
        await HttpAssert.JsonAsync(await remote.SendAsync(Get("/jobs/api/jobs", "alice", "ops")));
        var page = await remote.SendAsync(Get("/jobs", "alice", "ops"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var trigger = TestApp.Post("/jobs/api/jobs/on-demand/trigger");
        trigger.Headers.Add(HeaderAuthenticationHandler.UserHeader, "alice");
        trigger.Headers.Add(HeaderAuthenticationHandler.RolesHeader, "ops");
        var accepted = await HttpAssert.JsonAsync(await remote.SendAsync(trigger), HttpStatusCode.Accepted);
        await app.WaitForEndedSessionAsync("on-demand", accepted.GetProperty("sessionId").GetGuid());

        // With a policy, it applies to local requests too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync("/jobs/api/jobs")).StatusCode);
    }

    [Fact]
    public async Task RemoteAddress_AuthorizationOverriddenByAllowAnonymous_StaysLocalOnly()
    {
        await using var app = await TestApp.StartAsync(
            Jobs,
            configure: AddAuthentication,
            map: app =>
            {
                FromElsewhere(app);
                app.MapJobScheduler().RequireAuthorization(Policy).AllowAnonymous();
            });

        await HttpAssert.ProblemAsync(await app.Client.GetAsync("/jobs/api/jobs"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("true")]
    public async Task Post_WithoutTheRequestHeader_IsRefusedAndChangesNothing(string? headerValue)
    {
        await using var app = await TestApp.StartAsync(Jobs);

        foreach (var action in new[] { "nightly/pause", "on-demand/trigger" })
        {
            var request = TestApp.Post($"/jobs/api/jobs/{action}", withHeader: false);
            if (headerValue is not null)
            {
                request.Headers.Add("X-JobScheduler-Request", headerValue);
            }

            var problem = await HttpAssert.ProblemAsync(await app.Client.SendAsync(request), HttpStatusCode.BadRequest);
            Assert.Contains("X-JobScheduler-Request: 1", problem.Detail());
        }

        Assert.False(app.Scheduler.GetJob("nightly").IsPaused);
        Assert.Empty(await app.Store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Post_FormFromAnotherSite_IsRefused()
    {
        await using var app = await TestApp.StartAsync(Jobs);
        var request = TestApp.Post("/jobs/api/jobs/nightly/pause", withHeader: false);
        request.Headers.Add("Origin", "https://evil.example");
        request.Content = new FormUrlEncodedContent([]);

        await HttpAssert.ProblemAsync(await app.Client.SendAsync(request), HttpStatusCode.BadRequest);

        Assert.False(app.Scheduler.GetJob("nightly").IsPaused);
    }

    [Theory]
    [InlineData("trigger")]
    [InlineData("pause")]
    [InlineData("resume")]
    public async Task Get_StateChangingRoute_Returns405AndChangesNothing(string action)
    {
        await using var app = await TestApp.StartAsync(Jobs);
        app.Scheduler.Pause("on-demand");

        var response = await app.Client.GetAsync($"/jobs/api/jobs/nightly/{action}");
        var resume = await app.Client.GetAsync($"/jobs/api/jobs/on-demand/{action}");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, resume.StatusCode);
        Assert.False(app.Scheduler.GetJob("nightly").IsPaused);
        Assert.True(app.Scheduler.GetJob("on-demand").IsPaused);
        Assert.Empty(await app.Store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.10.0.3", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData(null, true)]
    [InlineData("192.0.2.2", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("2001:db8::1", false)]
    public void IsLocal_RemoteAddress_OnlyLoopbackOrNoAddressIsLocal(string? address, bool expected)
        => Assert.Equal(expected, JobScheduler.AspNetCore.Security.RequestGuard.IsLocal(address is null ? null : IPAddress.Parse(address)));

    public static TheoryData<object[], bool> AuthorizationMetadata => new()
    {
        { [], false },
        { [new AuthorizeAttribute(Policy)], true },
        { [new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()], true },
        { [new AuthorizeAttribute(Policy), new AllowAnonymousAttribute()], false },
        { [new AllowAnonymousAttribute()], false },
    };

    [Theory]
    [MemberData(nameof(AuthorizationMetadata))]
    public void RequiresAuthorization_EndpointMetadata_TrueOnlyForAuthorizationNotOverridden(object[] metadata, bool expected)
    {
        var endpoint = new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(metadata), "test");

        Assert.Equal(expected, JobScheduler.AspNetCore.Security.RequestGuard.RequiresAuthorization(endpoint));
    }

    /// <summary>Authenticates whoever the request headers say, with the roles they list.</summary>
    private sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestHeader";
        public const string UserHeader = "X-Test-User";
        public const string RolesHeader = "X-Test-Roles";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user.ToString()) };
            claims.AddRange(Request.Headers[RolesHeader].ToString()
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(role => new Claim(ClaimTypes.Role, role)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
