namespace JobScheduler.Sessions;

/// <summary>
/// An attempt whose Running session the in-memory store writes only if the store is read before the attempt ends
/// (<see cref="InMemoryJobSessionStore.OnBeforeRead"/>). Most attempts end first, and their ended session is then the
/// only write they make.
/// </summary>
internal interface IDeferredStart
{
    /// <summary>Gets or sets where the attempt's session stands in the store. Changed under the store's lock only, but for <see cref="DeferredStartState.Deferred"/>.</summary>
    DeferredStartState StartState { get; set; }

    /// <summary>Gets the values of the attempt's Running session; read under the store's lock, while the attempt is in progress.</summary>
    AttemptStart CurrentStart { get; }
}
