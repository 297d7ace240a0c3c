using Microsoft.Extensions.Options;

namespace JobScheduler.Diagnostics;

/// <summary>Checks the rule between the two failure thresholds of <see cref="JobSchedulerHealthCheckOptions"/>.</summary>
internal sealed class JobSchedulerHealthCheckThresholdsValidator : IValidateOptions<JobSchedulerHealthCheckOptions>
{
    public ValidateOptionsResult Validate(string? name, JobSchedulerHealthCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DegradedAfterFailures > 0 && options.UnhealthyAfterFailures > 0
            && options.UnhealthyAfterFailures < options.DegradedAfterFailures)
        {
            return ValidateOptionsResult.Fail(
                $"Health check '{name}': UnhealthyAfterFailures ({options.UnhealthyAfterFailures}) must not be below " +
                $"DegradedAfterFailures ({options.DegradedAfterFailures}); set either to 0 to turn it off.");
        }

        return ValidateOptionsResult.Success;
    }
}
