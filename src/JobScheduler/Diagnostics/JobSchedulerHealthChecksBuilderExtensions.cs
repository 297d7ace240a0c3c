using JobScheduler.Diagnostics;
using JobScheduler.Hosting;
using JobScheduler.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace JobScheduler;

/// <summary>Adds the job scheduler health check to an <see cref="IHealthChecksBuilder"/>.</summary>
public static class JobSchedulerHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check that reports whether the job scheduler runs, which jobs are running and for how long, the
    /// runs that failed recently, and jobs overdue against their schedule. It reads in-process state only (never the
    /// session store), so it is cheap to probe often. Requires <c>services.AddJobScheduler()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="configure">Sets the thresholds; see <see cref="JobSchedulerHealthCheckOptions"/> for the defaults.</param>
    /// <param name="name">The name of the check, also the name of its options instance.</param>
    /// <param name="failureStatus">
    /// The status reported when the scheduler is not running, is stuck, or too many runs failed; <see langword="null"/>
    /// means <see cref="HealthStatus.Unhealthy"/>. Fewer failures report <see cref="HealthStatus.Degraded"/>.
    /// </param>
    /// <param name="tags">Tags to filter checks by, such as <c>"ready"</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static IHealthChecksBuilder AddJobScheduler(
        this IHealthChecksBuilder builder,
        Action<JobSchedulerHealthCheckOptions>? configure = null,
        string name = JobSchedulerDefaults.HealthCheckName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var options = builder.Services.AddOptions<JobSchedulerHealthCheckOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobSchedulerHealthCheckOptions>, JobSchedulerHealthCheckOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobSchedulerHealthCheckOptions>, JobSchedulerHealthCheckThresholdsValidator>());

        return builder.Add(new HealthCheckRegistration(name, services => Create(services, name), failureStatus, tags));
    }

    private static JobSchedulerHealthCheck Create(IServiceProvider services, string name)
    {
        var instrumentation = services.GetService<JobSchedulerInstrumentation>()
            ?? throw new InvalidOperationException(
                $"The '{name}' health check needs the job scheduler: call services.AddJobScheduler() as well as AddHealthChecks().AddJobScheduler().");
        return new JobSchedulerHealthCheck(
            services.GetRequiredService<IJobScheduler>(),
            instrumentation.Health,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<IOptionsMonitor<JobSchedulerHealthCheckOptions>>().Get(name),
            services.GetService<IRunCoordinator>());
    }
}
