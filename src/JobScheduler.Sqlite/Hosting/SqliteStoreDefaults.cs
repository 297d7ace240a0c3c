namespace JobScheduler.Sqlite.Hosting;

/// <summary>The one home of every default value of the SQLite store; <c>SqliteStoreDefaultsTests</c> pins them.</summary>
internal static class SqliteStoreDefaults
{
    public const int MaxBatchSize = 1_000;
    public const int MaxBatchSizeLimit = 100_000;
}
