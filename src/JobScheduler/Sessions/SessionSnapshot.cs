namespace JobScheduler.Sessions;

/// <summary>
/// A session kept by value with what a log holds apart from its values, the id, the job name and the details: what a
/// job keeps as its last session, and what a query holds while it picks the newest.
/// </summary>
internal readonly record struct SessionSnapshot(StoredSession Session, Guid Id, string JobName, SessionDetails Details)
{
    // Outside the store there is no instance table: the details keep the instance id.
    public static SessionSnapshot Of(JobSession session) => new(new StoredSession(0, session, instance: 0), session.Id, session.JobName, SessionDetails.Of(session));

    /// <summary>Builds the session as it was written; a new object each time.</summary>
    public JobSession ToSession() => Session.ToSession(Id, JobName, Details);
}
