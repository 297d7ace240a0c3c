using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JobScheduler.Hosting;

/// <summary>Binds the <c>JobScheduler</c> configuration section when the app has configuration.</summary>
internal sealed class JobSchedulerConfigurationSetup(IConfiguration? configuration = null) : IConfigureOptions<JobSchedulerOptions>
{
    public void Configure(JobSchedulerOptions options)
        => configuration?.GetSection(JobSchedulerDefaults.ConfigurationSection).Bind(options);
}
