using JobScheduler;
using JobScheduler.Samples.Services;
using JobScheduler.Samples.Worker;

var builder = Host.CreateApplicationBuilder(args);

// What the jobs inject. Jobs are created from a new DI scope for every attempt, so scoped services work too.
builder.Services.AddSingleton<IDestinationService, FakeDestinationService>();
builder.Services.AddSingleton<OpportunityRepository>();

// Every IJob class in this assembly with a [CronJob] or [IntervalJob] attribute.
// Options and per-job overrides come from the "JobScheduler" section of appsettings.json.
builder.Services.AddJobScheduler()
    .AddJobsFromAssemblyContaining<Program>();

// Logs the jobs at start and the latest sessions every 30 seconds: how to read the scheduler from your own code.
builder.Services.AddHostedService<JobStatusReporter>();

using var host = builder.Build();
await host.RunAsync();
