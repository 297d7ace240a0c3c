namespace JobScheduler.Sessions;

/// <summary>A session in a job's log and its store-wide insertion order, which breaks ties between equal start times.</summary>
internal readonly record struct StoredEntry(long Sequence, JobSession Session);
