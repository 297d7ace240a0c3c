using System.Text.Json.Serialization;
using JobScheduler;
using JobScheduler.Samples.Services;

var builder = WebApplication.CreateBuilder(args);

// http://localhost:5000 unless ASPNETCORE_URLS, --urls or launchSettings.json says otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://localhost:5000");
}

// What the jobs inject. Jobs are created from a new DI scope for every attempt, so scoped services work too.
builder.Services.AddSingleton<IDestinationService, FakeDestinationService>();
builder.Services.AddSingleton<OpportunityRepository>();

// Every IJob class in this assembly with a [CronJob] or [IntervalJob] attribute. Sessions go to an embedded SQLite
// file next to the app, so history survives a restart; nothing to install. Options and per-job overrides come from
// the "JobScheduler" section of appsettings.json.
var database = Path.Combine(builder.Environment.ContentRootPath, "jobs.db");
builder.Services.AddJobScheduler()
    .AddJobsFromAssemblyContaining<Program>()
    .UseSqliteStore($"Data Source={database}");

// Enums as names ("Succeeded", "Scheduled") rather than numbers.
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

var app = builder.Build();

// A minimal JSON view until the JobScheduler.AspNetCore dashboard arrives.
var index = new
{
    name = "JobScheduler sample web app",
    note = "The heartbeat job runs every 10 seconds.",
    endpoints = new[]
    {
        "GET  /jobs                   every job, its schedule, next run and last session",
        "GET  /jobs/{name}/sessions   the newest 50 sessions of one job",
        "GET  /sessions               the newest 50 sessions of all jobs",
        "POST /jobs/{name}/trigger    run a job now; 202 with the session id",
    },
};
app.MapGet("/", () => index);

app.MapGet("/jobs", (IJobScheduler scheduler) => scheduler.GetJobs());

app.MapGet("/jobs/{name}/sessions", async (string name, IJobScheduler scheduler, IJobSessionStore store, CancellationToken cancellationToken) =>
{
    JobInfo job;
    try
    {
        job = scheduler.GetJob(name);
    }
    catch (KeyNotFoundException ex)
    {
        return Results.NotFound(new { error = ex.Message });
    }

    // Query by the job's own name: job names are case-insensitive, the store's lookup may not be.
    return Results.Ok(await store.GetSessionsByJobAsync(job.Name, cancellationToken: cancellationToken));
});

app.MapGet("/sessions", async (IJobSessionStore store, CancellationToken cancellationToken) =>
    await store.QueryAsync(new JobSessionQuery { Limit = 50 }, cancellationToken));

app.MapPost("/jobs/{name}/trigger", async (string name, IJobScheduler scheduler, CancellationToken cancellationToken) =>
{
    try
    {
        // Returns once the run is started (or skipped by the overlap policy); the run goes on in the background.
        var run = await scheduler.TriggerAsync(name, cancellationToken);
        var job = scheduler.GetJob(name).Name;
        return Results.Accepted($"/jobs/{Uri.EscapeDataString(job)}/sessions", new { jobName = job, sessionId = run.SessionId });
    }
    catch (KeyNotFoundException ex)
    {
        return Results.NotFound(new { error = ex.Message });
    }
    catch (InvalidOperationException ex)
    {
        // Disabled by configuration (see appsettings.Development.json), or the scheduler is stopping.
        return Results.Conflict(new { error = ex.Message });
    }
});

app.Run();
