using JobScheduler;
using JobScheduler.Samples.Services;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

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
//
// Several replicas instead: give them a PostgreSQL database (ConnectionStrings__Jobs="Host=…;Database=…;Username=…")
// and a name each (JobScheduler__InstanceId=web-1, web-2, …); each occurrence then runs on one replica (docs/clustering.md).
var jobs = builder.Services.AddJobScheduler().AddJobsFromAssemblyContaining<Program>();
if (builder.Configuration.GetConnectionString("Jobs") is { Length: > 0 } postgreSql)
{
    jobs.UsePostgreSqlStore(postgreSql).UseClustering();
}
else
{
    jobs.UseSqliteStore($"Data Source={Path.Combine(builder.Environment.ContentRootPath, "jobs.db")}");
}

// /health reports whether the scheduler runs, runs that failed recently and jobs overdue against their schedule.
builder.Services.AddHealthChecks().AddJobScheduler();

// Metrics (meter "JobScheduler": runs, duration, lateness, running) and traces (source "JobScheduler": one span per
// attempt) through OpenTelemetry. They are exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, for example
// OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 for a local collector, Jaeger or the .NET Aspire dashboard;
// replace UseOtlpExporter with the exporter of your monitoring system (Prometheus, Azure Monitor, ...).
var openTelemetry = builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter("JobScheduler"))
    .WithTracing(tracing => tracing.AddSource("JobScheduler"));
if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    openTelemetry.UseOtlpExporter();
}

var app = builder.Build();

// The dashboard at http://localhost:5000/jobs and the JSON API under /jobs/api. Local requests only: to open it to
// other machines, add authentication and call .RequireAuthorization("policy") on it (docs/operations.md#security).
app.MapJobScheduler("/jobs");
app.MapHealthChecks("/health");

var index = new
{
    name = "JobScheduler sample web app",
    dashboard = "/jobs",
    health = "/health",
    api = new[]
    {
        "GET  /jobs/api/jobs                       every job: schedule, next run, last session",
        "GET  /jobs/api/jobs/{name}/sessions       one job's history, newest first (?limit=&before=)",
        "GET  /jobs/api/sessions                   recent sessions of every job (?job=&status=&since=&limit=)",
        "POST /jobs/api/jobs/{name}/trigger        run a job now (header X-JobScheduler-Request: 1)",
        "POST /jobs/api/jobs/{name}/pause|resume   stop or restart a job's schedule (same header)",
    },
};
app.MapGet("/", () => index);

app.Run();
