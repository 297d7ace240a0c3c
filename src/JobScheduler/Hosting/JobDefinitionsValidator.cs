using Microsoft.Extensions.Options;

namespace JobScheduler.Hosting;

/// <summary>
/// Fails options validation (and so host start-up) with every problem in every job: cron, time zone, timeout,
/// retries, duplicate names and configuration keys that name no job.
/// </summary>
internal sealed class JobDefinitionsValidator(JobDefinitionSet jobs) : IValidateOptions<JobSchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, JobSchedulerOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = jobs.Build(options).Problems;
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
