namespace JobScheduler.Sessions;

/// <summary>Where an attempt's session stands in the in-memory store.</summary>
internal enum DeferredStartState : byte
{
    /// <summary>No attempt has begun, so nothing is owed.</summary>
    None,

    /// <summary>The attempt is in progress, and its Running session is not in the store yet.</summary>
    Deferred,

    /// <summary>A read of the store wrote the attempt's Running session; its end replaces it.</summary>
    Written,

    /// <summary>The attempt's ended session is in the store.</summary>
    Ended,
}
