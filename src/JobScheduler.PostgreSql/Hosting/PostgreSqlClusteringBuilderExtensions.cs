using JobScheduler.Execution;
using JobScheduler.PostgreSql.Cluster;
using JobScheduler.PostgreSql.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JobScheduler;

/// <summary>Turns on cluster mode: several instances that share one PostgreSQL store run each occurrence once.</summary>
public static class PostgreSqlClusteringBuilderExtensions
{
    /// <summary>
    /// Coordinates this scheduler with every other instance that uses the same PostgreSQL schema: each occurrence of a
    /// schedule runs on one instance only (claimed by a unique row), the overlap policy of a job holds across the
    /// cluster (a lease with a heartbeat), and the work of an instance that dies is taken over by the others.
    /// </summary>
    /// <param name="builder">The builder; it must also call <c>UsePostgreSqlStore</c>.</param>
    /// <param name="configure">Sets heartbeat and timeout; the defaults suit most clusters.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Give every instance its own <see cref="JobSchedulerOptions.InstanceId"/> (the machine name by default, which is
    /// unique per container or pod). Interval schedules are aligned to whole multiples of the interval since the Unix
    /// epoch, so that every instance computes the same occurrences. See docs/clustering.md for the guarantees and their limits.
    /// </remarks>
    public static IJobSchedulerBuilder UseClustering(this IJobSchedulerBuilder builder, Action<PostgreSqlClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        var options = services.AddOptions<PostgreSqlClusterOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlClusterOptions>, PostgreSqlClusterOptionsValidator>());
        services.TryAddSingleton<PostgreSqlRunCoordinator>();
        services.TryAddSingleton<IRunCoordinator>(static sp => sp.GetRequiredService<PostgreSqlRunCoordinator>());
        return builder;
    }
}
