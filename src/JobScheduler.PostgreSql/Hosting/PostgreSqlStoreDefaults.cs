namespace JobScheduler.PostgreSql.Hosting;

/// <summary>The one home of every <see cref="PostgreSqlStoreOptions"/> default.</summary>
internal static class PostgreSqlStoreDefaults
{
    /// <summary>The schema that holds the store's tables.</summary>
    public const string Schema = "jobscheduler";
}
