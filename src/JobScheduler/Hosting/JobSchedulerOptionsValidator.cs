using Microsoft.Extensions.Options;

namespace JobScheduler.Hosting;

/// <summary>Validates the data annotations of <see cref="JobSchedulerOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class JobSchedulerOptionsValidator : IValidateOptions<JobSchedulerOptions>
{
}
