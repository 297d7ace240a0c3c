using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.AspNetCore.Tests;

/// <summary>
/// A real ASP.NET Core application on Kestrel, bound to 127.0.0.1 on a free port (and, when asked, to the machine's
/// non-loopback IPv4 address too), with an <see cref="HttpClient"/> for each address.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    /// <summary>A Monday morning, UTC.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 7, 30, 0, TimeSpan.Zero);

    private TestApp(WebApplication app, Uri local, Uri? remote, FakeTimeProvider? clock)
    {
        App = app;
        Clock = clock;
        LocalAddress = local;
        RemoteAddress = remote;
        Client = new HttpClient { BaseAddress = local, Timeout = TimeSpan.FromSeconds(30) };
        RemoteClient = remote is null ? null : new HttpClient { BaseAddress = remote, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public FakeTimeProvider? Clock { get; }

    public Uri LocalAddress { get; }

    public Uri? RemoteAddress { get; }

    /// <summary>Calls the application through 127.0.0.1.</summary>
    public HttpClient Client { get; }

    /// <summary>Calls the application through the machine's non-loopback address, when it has one and it was asked for.</summary>
    public HttpClient? RemoteClient { get; }

    public IJobScheduler Scheduler => App.Services.GetRequiredService<IJobScheduler>();

    public IJobSessionStore Store => App.Services.GetRequiredService<IJobSessionStore>();

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Builds, maps and starts an application. By default the clock is fake and the endpoints are at /jobs.</summary>
    public static async Task<TestApp> StartAsync(
        Action<IJobSchedulerBuilder> jobs,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null,
        IDictionary<string, string?>? configuration = null,
        bool fakeClock = true,
        bool bindNonLoopback = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        FakeTimeProvider? clock = null;
        if (fakeClock)
        {
            clock = new FakeTimeProvider(Start);
            builder.Services.AddSingleton<TimeProvider>(clock);
        }

        jobs(builder.Services.AddJobScheduler());
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var external = bindNonLoopback ? NonLoopbackIPv4() : null;
        if (external is not null)
        {
            app.Urls.Add($"http://{external}:0");
        }

        if (map is null)
        {
            app.MapJobScheduler();
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a))
            .ToList();
        var local = addresses.Single(a => a.Host == "127.0.0.1");
        var remote = external is null ? null : addresses.Single(a => a.Host == external.ToString());
        return new TestApp(app, local, remote, clock);
    }

    /// <summary>The machine's first non-loopback, non-link-local IPv4 address that is up, or <see langword="null"/>.</summary>
    public static IPAddress? NonLoopbackIPv4()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                if (address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address)
                    && !address.ToString().StartsWith("169.254.", StringComparison.Ordinal))
                {
                    return address;
                }
            }
        }

        return null;
    }

    /// <summary>Records a finished session straight into the store, as the scheduler would.</summary>
    public async Task<JobSession> SeedAsync(string jobName, DateTimeOffset startedAt, JobSessionStatus status = JobSessionStatus.Succeeded, string? error = null)
    {
        var session = new JobSession
        {
            Id = Guid.NewGuid(),
            JobName = jobName,
            Trigger = JobTrigger.Scheduled,
            ScheduledAt = startedAt,
            StartedAt = startedAt,
            EndedAt = startedAt.AddSeconds(1),
            Duration = TimeSpan.FromSeconds(1),
            Status = status,
            Error = error,
        };
        await Store.RecordEndAsync(session, CancellationToken.None);
        return session;
    }

    /// <summary>Polls (in real time, bounded) until the store holds a session with the id and it has ended.</summary>
    public async Task<JobSession> WaitForEndedSessionAsync(string jobName, Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var sessions = await Store.QueryAsync(new JobSessionQuery { JobName = jobName, Limit = 1000 }, CancellationToken.None);
            var session = sessions.FirstOrDefault(s => s.Id == id);
            if (session is { EndedAt: not null })
            {
                return session;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Session {id} of {jobName} did not end within 10 s (found: {session?.Status.ToString() ?? "nothing"}).");
            await Task.Delay(20);
        }
    }

    public static HttpRequestMessage Post(string path, bool withHeader = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (withHeader)
        {
            request.Headers.Add("X-JobScheduler-Request", "1");
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        RemoteClient?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
