using JobScheduler.PostgreSql.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobScheduler.PostgreSql.Hosting;

/// <summary>
/// Checks what data annotations cannot: the schema is a plain identifier (it is written into SQL text, quoted) and the
/// connection string parses. The connection string is never echoed, since it may hold a password.
/// </summary>
internal sealed class PostgreSqlStoreOptionsCustomValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidateOptionsResultBuilder();

        if (options.Schema is not null && !SchemaName.TryValidate(options.Schema, out var schemaError))
        {
            result.AddError(schemaError, nameof(PostgreSqlStoreOptions.Schema));
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                result.AddError($"PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string: {ex.Message}", nameof(PostgreSqlStoreOptions.ConnectionString));
            }
        }

        return result.Build();
    }
}
