using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace JobScheduler.PostgreSql.Storage;

/// <summary>
/// The schema name is the one piece of SQL text that comes from configuration: it is an identifier, so it cannot be a
/// parameter. It is accepted only when it is a plain lower-case identifier and is always written double-quoted.
/// </summary>
internal static partial class SchemaName
{
    public static bool TryValidate(string schema, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!PlainIdentifier().IsMatch(schema))
        {
            error = $"PostgreSqlStoreOptions.Schema '{schema}' is not a plain identifier: use a lower-case letter or underscore, then up to 62 lower-case letters, digits or underscores (^[a-z_][a-z0-9_]{{0,62}}$).";
            return false;
        }

        if (schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            error = $"PostgreSqlStoreOptions.Schema '{schema}' starts with 'pg_', which PostgreSQL reserves for system schemas.";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Returns the schema as a quoted identifier for SQL text, after checking it again.</summary>
    /// <exception cref="ArgumentException">The schema is not a plain identifier.</exception>
    public static string Quote(string schema)
        => TryValidate(schema, out var error) ? $"\"{schema}\"" : throw new ArgumentException(error, nameof(schema));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();
}
