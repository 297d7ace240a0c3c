using Microsoft.Extensions.Options;

namespace JobScheduler.Diagnostics;

/// <summary>Validates the data annotations of <see cref="JobSchedulerHealthCheckOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class JobSchedulerHealthCheckOptionsValidator : IValidateOptions<JobSchedulerHealthCheckOptions>
{
}
