using JobScheduler.Diagnostics;
using JobScheduler.Hosting;
using JobScheduler.Scheduling;
using JobScheduler.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JobScheduler;

/// <summary>Registers the job scheduler in an <see cref="IServiceCollection"/>.</summary>
public static class JobSchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the job scheduler: the hosted service, <see cref="IJobScheduler"/>, the in-memory
    /// <see cref="IJobSessionStore"/>, and <see cref="JobSchedulerOptions"/> bound from the <c>JobScheduler</c>
    /// configuration section and validated at start. Calling it again is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add jobs and configure the scheduler.</returns>
    public static IJobSchedulerBuilder AddJobScheduler(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<JobSchedulerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<JobSchedulerOptions>, JobSchedulerConfigurationSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobSchedulerOptions>, JobSchedulerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobSchedulerOptions>, JobDefinitionsValidator>());
        services.AddOptions<InMemorySessionStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InMemorySessionStoreOptions>, InMemorySessionStoreOptionsValidator>());

        services.TryAddSingleton<IJobSessionStore, InMemoryJobSessionStore>();
        services.TryAddSingleton<JobSchedulerInstrumentation>();
        services.TryAddSingleton<JobDefinitionSet>();
        services.TryAddSingleton<JobSchedulerEngine>();
        services.TryAddSingleton<IJobScheduler>(static sp => sp.GetRequiredService<JobSchedulerEngine>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JobSchedulerHostedService>());

        return new JobSchedulerBuilder(services);
    }

    /// <summary>Adds the job scheduler and configures its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options; runs after configuration binding, so code wins.</param>
    /// <returns>A builder to add jobs and configure the scheduler.</returns>
    public static IJobSchedulerBuilder AddJobScheduler(this IServiceCollection services, Action<JobSchedulerOptions> configure)
        => services.AddJobScheduler().Configure(configure);
}
