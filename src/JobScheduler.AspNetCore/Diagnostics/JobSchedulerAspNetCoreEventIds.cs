namespace JobScheduler.AspNetCore.Diagnostics;

/// <summary>
/// Event ids of the ASP.NET Core endpoints' log messages, in the 4000 range (the core scheduler uses 1000–1999, the
/// SQLite store 2000–2999, the PostgreSQL store 3000–3999). Never renumber: operators filter and alert on them.
/// </summary>
internal static class JobSchedulerAspNetCoreEventIds
{
    public const int RemoteRequestRefused = 4000;
    public const int RequestHeaderMissing = 4001;
    public const int JobTriggered = 4010;
    public const int JobPaused = 4011;
    public const int JobResumed = 4012;
    public const int SessionStoreReadFailed = 4020;
}
