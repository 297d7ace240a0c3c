using Microsoft.Extensions.Options;

namespace JobScheduler.PostgreSql.Hosting;

/// <summary>Validates <see cref="PostgreSqlClusterOptions"/>: the ranges (source-generated) and how the times relate.</summary>
[OptionsValidator]
internal sealed partial class PostgreSqlClusterOptionsRangeValidator : IValidateOptions<PostgreSqlClusterOptions>
{
}

/// <summary>Checks what the ranges cannot: an instance must be able to miss a heartbeat without being declared dead.</summary>
internal sealed class PostgreSqlClusterOptionsValidator : IValidateOptions<PostgreSqlClusterOptions>
{
    private readonly PostgreSqlClusterOptionsRangeValidator _ranges = new();

    public ValidateOptionsResult Validate(string? name, PostgreSqlClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(_ranges.Validate(name, options));
        if (options.InstanceTimeout < 2 * options.HeartbeatInterval)
        {
            result.AddError(
                $"PostgreSqlClusterOptions.InstanceTimeout ({options.InstanceTimeout}) must be at least twice HeartbeatInterval ({options.HeartbeatInterval}): " +
                "otherwise one late heartbeat makes a live instance look dead and its runs are taken over while they still run.",
                nameof(PostgreSqlClusterOptions.InstanceTimeout));
        }

        return result.Build();
    }
}
