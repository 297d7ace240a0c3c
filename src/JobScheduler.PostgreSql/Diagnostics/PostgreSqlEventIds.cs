namespace JobScheduler.PostgreSql.Diagnostics;

/// <summary>Event ids of the PostgreSQL store's log messages (3000–3099). Never renumber.</summary>
internal static class PostgreSqlEventIds
{
    public const int SchemaMigrated = 3000;
    public const int WriteBatchFailed = 3001;
    public const int WriterFault = 3002;
}
