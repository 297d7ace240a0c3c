namespace JobScheduler.Sessions;

/// <summary>
/// What a session references, apart from its values (<see cref="StoredSession"/>): its error, its instance id and its
/// metadata. Most sessions have no error and no metadata, and the store keeps nothing for them but an index into its
/// table of instance ids.
/// </summary>
internal readonly record struct SessionDetails(string? Error, string? InstanceId, IReadOnlyDictionary<string, string> Metadata)
{
    public static SessionDetails Of(JobSession session) => new(session.Error, session.InstanceId, session.Metadata);

    /// <summary>Gets whether only the instance id is set: the common case, which the store keeps as an index.</summary>
    public bool HasOnlyInstance => Error is null && Metadata.Count == 0;
}
