namespace JobScheduler.Sqlite.Tests.Sessions;

internal static class SqliteStoreTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static JobSession Running(string job = "report", double startedAt = 0) => new()
    {
        Id = Guid.NewGuid(),
        JobName = job,
        ScheduledAt = T0.AddSeconds(startedAt),
        StartedAt = T0.AddSeconds(startedAt),
        Status = JobSessionStatus.Running,
        InstanceId = "host-a",
    };

    public static JobSession Ended(JobSession running, JobSessionStatus status = JobSessionStatus.Succeeded) => running with
    {
        EndedAt = running.StartedAt.AddSeconds(1),
        Duration = TimeSpan.FromSeconds(1),
        Status = status,
    };
}
