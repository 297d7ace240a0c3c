namespace JobScheduler;

/// <summary>Options of the default in-memory session store.</summary>
public sealed class InMemorySessionStoreOptions
{
    /// <summary>
    /// Gets or sets how many sessions are kept per job; the oldest ended ones are dropped first, running ones never.
    /// <value>The default value is 100.</value>
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int MaxSessionsPerJob { get; set; } = 100;
}
