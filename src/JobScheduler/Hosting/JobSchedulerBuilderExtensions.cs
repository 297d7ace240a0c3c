using System.Reflection;
using JobScheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JobScheduler;

/// <summary>Adds jobs and settings to an <see cref="IJobSchedulerBuilder"/>.</summary>
public static class JobSchedulerBuilderExtensions
{
    /// <summary>
    /// Adds every class in the assembly of <typeparamref name="TMarker"/> that has a <see cref="CronJobAttribute"/> or
    /// <see cref="IntervalJobAttribute"/>. A class with a schedule attribute that is not a usable <see cref="IJob"/>
    /// fails start-up with its name.
    /// </summary>
    /// <typeparam name="TMarker">Any type in the assembly to scan, typically <c>Program</c>.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IJobSchedulerBuilder AddJobsFromAssemblyContaining<TMarker>(this IJobSchedulerBuilder builder)
        => builder.AddJobsFromAssembly(typeof(TMarker).Assembly);

    /// <summary>Adds every class in <paramref name="assembly"/> that has a schedule attribute.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="assembly">The assembly to scan.</param>
    /// <returns>The same builder.</returns>
    public static IJobSchedulerBuilder AddJobsFromAssembly(this IJobSchedulerBuilder builder, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(assembly);

        var types = assembly.GetTypes()
            .Where(JobRegistration.HasScheduleAttribute)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            builder.Services.AddSingleton(JobRegistration.FromAttributes(type));
        }

        return builder;
    }

    /// <summary>Adds a job on a cron schedule. Attributes on the class supply defaults; <paramref name="configure"/> wins over them.</summary>
    /// <typeparam name="TJob">The job class.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="cronExpression">Five fields, six with seconds first, or a macro such as <c>@daily</c>.</param>
    /// <param name="configure">Sets the name, time zone, timeout, retries and policies.</param>
    /// <returns>The same builder.</returns>
    public static IJobSchedulerBuilder AddJob<TJob>(this IJobSchedulerBuilder builder, string cronExpression, Action<JobBuilder>? configure = null)
        where TJob : class, IJob
    {
        ArgumentNullException.ThrowIfNull(cronExpression);
        return builder.AddJob<TJob>(job =>
        {
            job.WithCron(cronExpression);
            configure?.Invoke(job);
        });
    }

    /// <summary>
    /// Adds a job whose schedule comes from its attributes or <paramref name="configure"/>; with neither, the job is
    /// on-demand: it runs only when triggered or scheduled once.
    /// </summary>
    /// <typeparam name="TJob">The job class.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the schedule, name, time zone, timeout, retries and policies.</param>
    /// <returns>The same builder.</returns>
    public static IJobSchedulerBuilder AddJob<TJob>(this IJobSchedulerBuilder builder, Action<JobBuilder>? configure = null)
        where TJob : class, IJob
    {
        ArgumentNullException.ThrowIfNull(builder);
        var registration = JobRegistration.FromAttributes(typeof(TJob));
        configure?.Invoke(new JobBuilder(registration));
        builder.Services.AddSingleton(registration);
        return builder;
    }

    /// <summary>Configures <see cref="JobSchedulerOptions"/>; runs after configuration binding, so code wins.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The same builder.</returns>
    public static IJobSchedulerBuilder Configure(this IJobSchedulerBuilder builder, Action<JobSchedulerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Replaces the session store with <typeparamref name="TStore"/>, registered as a singleton.</summary>
    /// <typeparam name="TStore">The store implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IJobSchedulerBuilder UseSessionStore<TStore>(this IJobSchedulerBuilder builder)
        where TStore : class, IJobSessionStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IJobSessionStore, TStore>());
        return builder;
    }

    /// <summary>Uses the in-memory session store (the default) with the given options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the store's options, such as <see cref="InMemorySessionStoreOptions.MaxSessionsPerJob"/>.</param>
    /// <returns>The same builder.</returns>
    public static IJobSchedulerBuilder UseInMemoryStore(this IJobSchedulerBuilder builder, Action<InMemorySessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IJobSessionStore, Sessions.InMemoryJobSessionStore>());
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder;
    }
}
