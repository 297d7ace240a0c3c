using JobScheduler.Scheduling;
using Polly;

namespace JobScheduler.Execution;

/// <summary>How to run one job: its definition, its retry/timeout pipeline and how to create its instances.</summary>
internal sealed record JobPlan(JobDefinition Definition, ResiliencePipeline<JobSession>? Pipeline, JobActivator Activator);
