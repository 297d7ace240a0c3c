using JobScheduler.PostgreSql.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobScheduler.PostgreSql.Storage;

/// <summary>
/// Brings a schema to <see cref="SchemaMigrations.LatestVersion"/>: creates it, records each applied version in
/// <c>schema_version</c>, and applies the missing migrations in order in one transaction. Processes that start together
/// serialize on a transaction-scoped advisory lock keyed by the schema name, so each migration runs once.
/// </summary>
internal static class SchemaMigrator
{
    private const string UndefinedTable = "42P01";
    private const string InvalidSchemaName = "3F000";

    /// <summary>Migrates the schema if needed and returns its version.</summary>
    /// <exception cref="InvalidOperationException">The database is at a newer version than this library knows.</exception>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string schema, ILogger logger, CancellationToken cancellationToken)
    {
        var quoted = SchemaName.Quote(schema);
        var latest = SchemaMigrations.LatestVersion;

        // Fast path, no DDL and no lock: an up-to-date schema needs only USAGE and table privileges, so an application
        // can run with a user that cannot create schemas once the schema is in place.
        var current = await TryReadVersionAsync(dataSource, quoted, cancellationToken).ConfigureAwait(false);
        if (current == latest)
        {
            return current;
        }

        ThrowIfNewer(schema, current, latest);

        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var (from, to) = await ApplyAsync(connection, transaction, schema, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (to != from)
                {
                    Log.SchemaMigratedMessage(logger, schema, from, to);
                }

                return to;
            }
        }
    }

    /// <summary>Under the schema's advisory lock, creates what is missing and applies the missing migrations.</summary>
    private static async Task<(int From, int To)> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, CancellationToken cancellationToken)
    {
        var quoted = SchemaName.Quote(schema);
        var latest = SchemaMigrations.LatestVersion;

        using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AdvisoryLockKey(schema) });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"""
            CREATE SCHEMA IF NOT EXISTS {quoted};
            CREATE TABLE IF NOT EXISTS {quoted}.schema_version (
                version     integer     PRIMARY KEY,
                description text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken).ConfigureAwait(false);

        // Another process may have migrated while this one waited for the lock.
        int current;
        using (var versionCommand = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {quoted}.schema_version", connection, transaction))
        {
            current = Convert.ToInt32(await versionCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        ThrowIfNewer(schema, current, latest);
        var from = current;
        foreach (var migration in SchemaMigrations.All)
        {
            if (migration.Version <= current)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql(quoted), cancellationToken).ConfigureAwait(false);
            using var record = new NpgsqlCommand($"INSERT INTO {quoted}.schema_version (version, description) VALUES ($1, $2)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Description });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            current = migration.Version;
        }

        return (from, current);
    }

    /// <summary>A stable 64-bit key for the schema's advisory lock (FNV-1a), the same in every process.</summary>
    internal static long AdvisoryLockKey(string schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in "JobScheduler.PostgreSql/" + schema)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    private static async Task<int> TryReadVersionAsync(NpgsqlDataSource dataSource, string quoted, CancellationToken cancellationToken)
    {
        try
        {
            return await PooledConnection.RunAsync(dataSource, async (connection, ct) =>
            {
                using var command = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {quoted}.schema_version", connection);
                var version = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                return Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is UndefinedTable or InvalidSchemaName)
        {
            return 0;
        }
    }

    private static void ThrowIfNewer(string schema, int current, int latest)
    {
        if (current > latest)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema \"{schema}\" is at version {current}, but this JobScheduler.PostgreSql knows versions up to {latest} only. " +
                "A newer version of the package has migrated this database, and migrations only go forward: upgrade JobScheduler.PostgreSql in this application.");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
