namespace JobScheduler.PostgreSql.Diagnostics;

/// <summary>Event ids of the PostgreSQL store's log messages (3000–3099). Never renumber.</summary>
internal static class PostgreSqlEventIds
{
    public const int SchemaMigrated = 3000;
    public const int WriteBatchFailed = 3001;
    public const int WriterFault = 3002;
    public const int InstanceJoined = 3010;
    public const int InstanceLeft = 3011;
    public const int PreviousProcessTakenOver = 3012;
    public const int InstanceDeclaredDead = 3013;
    public const int InstancePresumedDead = 3014;
    public const int InstanceIdShared = 3015;
    public const int CoordinationUnavailable = 3016;
    public const int CoordinationRestored = 3017;
    public const int ClaimsPurged = 3018;
    public const int LeaseReleaseFailed = 3019;
}
