namespace JobScheduler;

/// <summary>Sets what happens to occurrences that could not fire on time (downtime, clock jumps, stalls).</summary>
/// <example><code>[JobMisfire(MisfirePolicy.RunOnce)]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class JobMisfireAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="JobMisfireAttribute"/> class.</summary>
    /// <param name="policy">The misfire policy.</param>
    public JobMisfireAttribute(MisfirePolicy policy) => Policy = policy;

    /// <summary>Gets the misfire policy.</summary>
    public MisfirePolicy Policy { get; }
}
