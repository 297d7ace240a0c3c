using JobScheduler.Sqlite.Hosting;
using JobScheduler.Sqlite.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JobScheduler;

/// <summary>Adds the SQLite session store to an <see cref="IJobSchedulerBuilder"/>.</summary>
public static class SqliteJobSchedulerBuilderExtensions
{
    /// <summary>
    /// Records sessions in a SQLite file instead of in memory, so run history, crash recovery and catch-up runs survive
    /// restarts. Replaces any session store registered before.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, such as <c>Data Source=jobs.db</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="connectionString"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or white space.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddJobScheduler()
    ///     .AddJobsFromAssemblyContaining&lt;Program&gt;()
    ///     .UseSqliteStore($"Data Source={Path.Combine(builder.Environment.ContentRootPath, "jobs.db")}");
    /// </code>
    /// </example>
    public static IJobSchedulerBuilder UseSqliteStore(this IJobSchedulerBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseSqliteStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Records sessions in a SQLite file instead of in memory, with the given options. Replaces any session store
    /// registered before. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets <see cref="SqliteStoreOptions.ConnectionString"/> and the other options.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IJobSchedulerBuilder UseSqliteStore(this IJobSchedulerBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<SqliteStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteConnectionStringValidator>());
        services.Replace(ServiceDescriptor.Singleton<IJobSessionStore, SqliteJobSessionStore>());
        return builder;
    }
}
