using JobScheduler.PostgreSql.Hosting;
using JobScheduler.PostgreSql.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JobScheduler;

/// <summary>Adds the PostgreSQL session store to an <see cref="IJobSchedulerBuilder"/>.</summary>
public static class PostgreSqlJobSchedulerBuilderExtensions
{
    /// <summary>
    /// Replaces the session store with the PostgreSQL store: sessions and the last occurrence of every job are kept in
    /// <paramref name="schema"/> of the database, which is created and migrated on first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="schema">The schema that holds the tables: a plain lower-case identifier such as <c>jobscheduler</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or white space.</exception>
    /// <remarks>The options are validated when the host starts; an invalid schema name fails start-up with its value.</remarks>
    public static IJobSchedulerBuilder UsePostgreSqlStore(this IJobSchedulerBuilder builder, string connectionString, string schema = PostgreSqlStoreDefaults.Schema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(schema);
        return builder.UsePostgreSqlStore(options =>
        {
            options.ConnectionString = connectionString;
            options.Schema = schema;
        });
    }

    /// <summary>Replaces the session store with the PostgreSQL store, configured by <paramref name="configure"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string and schema.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>The options are validated when the host starts; every problem is reported in one exception.</remarks>
    public static IJobSchedulerBuilder UsePostgreSqlStore(this IJobSchedulerBuilder builder, Action<PostgreSqlStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<PostgreSqlStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsCustomValidator>());
        services.Replace(ServiceDescriptor.Singleton<IJobSessionStore, PostgreSqlJobSessionStore>());
        return builder;
    }
}
