using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JobScheduler.Hosting;

/// <summary>Binds the <c>JobScheduler</c> configuration section when the app has configuration.</summary>
internal sealed class JobSchedulerConfigurationSetup(IConfiguration? configuration = null) : IConfigureOptions<JobSchedulerOptions>
{
    public void Configure(JobSchedulerOptions options)
    {
        if (configuration is null)
        {
            return;
        }

        var section = configuration.GetSection(JobSchedulerDefaults.ConfigurationSection);
        if (section.Exists())
        {
            Bind(section, options);
        }
    }

    // A method of its own: compiling a call to the binder loads the binder's assembly, so an app without the section
    // does not load it at start.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Bind(IConfigurationSection section, JobSchedulerOptions options)
    {
        section.Bind(options);

        // The binder silently drops a dictionary entry whose value does not convert ("Timeout": "soon"), which would
        // ignore the operator's override. Binding each job's section on its own throws instead, naming key and value.
        foreach (var job in section.GetSection(nameof(JobSchedulerOptions.Jobs)).GetChildren())
        {
            if (!options.Jobs.TryGetValue(job.Key, out var overrides))
            {
                overrides = new JobOptions();
                options.Jobs[job.Key] = overrides;
            }

            job.Bind(overrides);
        }
    }
}
