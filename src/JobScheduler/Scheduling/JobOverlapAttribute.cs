namespace JobScheduler;

/// <summary>Sets what happens when an occurrence is due while the previous run is still running.</summary>
/// <example><code>[JobOverlap(OverlapPolicy.Queue)]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class JobOverlapAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="JobOverlapAttribute"/> class.</summary>
    /// <param name="policy">The overlap policy.</param>
    public JobOverlapAttribute(OverlapPolicy policy) => Policy = policy;

    /// <summary>Gets the overlap policy.</summary>
    public OverlapPolicy Policy { get; }
}
