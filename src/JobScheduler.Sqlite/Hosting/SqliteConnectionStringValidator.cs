using JobScheduler.Sqlite.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sqlite.Hosting;

/// <summary>
/// Checks that <see cref="SqliteStoreOptions.ConnectionString"/> parses and names a database that every connection of
/// the store shares: the store writes on one connection and reads on others.
/// </summary>
internal sealed class SqliteConnectionStringValidator : IValidateOptions<SqliteStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Skip; // [Required] reports it.
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return ValidateOptionsResult.Fail(
                $"{nameof(SqliteStoreOptions)}.{nameof(SqliteStoreOptions.ConnectionString)} '{options.ConnectionString}' is not a valid SQLite connection string: {ex.Message}");
        }

        var results = new ValidateOptionsResultBuilder();
        if (!SqliteConnectionStrings.IsShared(builder))
        {
            results.AddError(
                $"{nameof(SqliteStoreOptions)}.{nameof(SqliteStoreOptions.ConnectionString)} '{options.ConnectionString}' names a private database that only " +
                "one connection sees; the store writes and reads on separate connections. Use a file (Data Source=jobs.db) or a shared in-memory " +
                "database (Data Source=jobs;Mode=Memory;Cache=Shared).");
        }

        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            results.AddError(
                $"{nameof(SqliteStoreOptions)}.{nameof(SqliteStoreOptions.ConnectionString)} '{options.ConnectionString}' opens the database read-only; the store records every run.");
        }

        return results.Build();
    }
}
