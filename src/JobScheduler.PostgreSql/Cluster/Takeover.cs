namespace JobScheduler.PostgreSql.Cluster;

/// <summary>
/// What one join or sweep took over from dead processes, reported to the scheduler once its transaction committed: the
/// occurrences to run again here, and the sessions it marked Abandoned (for the metrics and run observers).
/// </summary>
internal sealed class Takeover
{
    public List<TakenOverRun> Runs { get; } = [];

    public List<JobSession> Abandoned { get; } = [];
}
