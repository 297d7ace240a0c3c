namespace JobScheduler.Sessions;

/// <summary>
/// A session kept by value with the two things a log holds apart from its values, the id and the job name: what a job
/// keeps as its last session, and what a query holds while it picks the newest.
/// </summary>
internal readonly record struct SessionSnapshot(StoredSession Session, Guid Id, string JobName)
{
    public static SessionSnapshot Of(JobSession session) => new(new StoredSession(0, session), session.Id, session.JobName);

    /// <summary>Builds the session as it was written; a new object each time.</summary>
    public JobSession ToSession() => Session.ToSession(Id, JobName);
}
