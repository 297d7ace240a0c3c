using Microsoft.Data.Sqlite;

namespace JobScheduler.Sqlite.Database;

/// <summary>Derives the store's connection strings from the one the user gave.</summary>
internal static class SqliteConnectionStrings
{
    /// <summary>Gets a value indicating whether every connection opened with <paramref name="builder"/> sees the same database.</summary>
    public static bool IsShared(SqliteConnectionStringBuilder builder)
    {
        var dataSource = builder.DataSource;
        if (string.IsNullOrEmpty(dataSource))
        {
            return false; // a temporary on-disk database, private to its connection
        }

        var inMemory = builder.Mode == SqliteOpenMode.Memory || string.Equals(dataSource, ":memory:", StringComparison.Ordinal);
        return !inMemory || builder.Cache == SqliteCacheMode.Shared;
    }

    /// <summary>Gets a value indicating whether the database lives in a file (not in memory).</summary>
    public static bool IsFile(SqliteConnectionStringBuilder builder)
        => builder.Mode != SqliteOpenMode.Memory
           && !string.IsNullOrEmpty(builder.DataSource)
           && !string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal)
           && !builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The writer's connection lives as long as the store, so it does not come from (or go back to) the pool.</summary>
    public static string ForWriter(SqliteConnectionStringBuilder builder)
        => new SqliteConnectionStringBuilder(builder.ConnectionString) { Pooling = false }.ConnectionString;

    /// <summary>Readers open a connection per query, pooled unless the user turned pooling off.</summary>
    public static string ForReaders(SqliteConnectionStringBuilder builder) => builder.ConnectionString;
}
