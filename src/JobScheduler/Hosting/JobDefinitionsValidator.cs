using Microsoft.Extensions.Options;

namespace JobScheduler.Hosting;

/// <summary>
/// Fails options validation (and so host start-up) with every problem in every job: cron, time zone, timeout,
/// retries, duplicate names and configuration keys that name no job.
/// </summary>
internal sealed class JobDefinitionsValidator(IEnumerable<JobRegistration> registrations) : IValidateOptions<JobSchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, JobSchedulerOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = new List<string>();
        JobDefinitionFactory.CreateAll(registrations, options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
