namespace JobScheduler.PostgreSql.Hosting;

/// <summary>The one home of every <see cref="PostgreSqlClusterOptions"/> default.</summary>
internal static class PostgreSqlClusterDefaults
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan InstanceTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan LeasePollInterval = TimeSpan.FromSeconds(1);

    public const int MaxTakeovers = 3;

    public static readonly TimeSpan ClaimRetention = TimeSpan.FromDays(1);
}
