namespace JobScheduler.PostgreSql.Cluster;

/// <summary>An occurrence whose claim this instance took over from a dead one, to be run again under <paramref name="RunId"/>.</summary>
internal readonly record struct TakenOverRun(string JobName, DateTimeOffset Occurrence, Guid RunId);
