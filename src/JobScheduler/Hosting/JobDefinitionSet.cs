using JobScheduler.Scheduling;

namespace JobScheduler.Hosting;

/// <summary>
/// The registered jobs as validated definitions, built once per options instance: start-up validation and the engine
/// read the same result instead of parsing every cron expression and time zone twice.
/// </summary>
internal sealed class JobDefinitionSet(IEnumerable<JobRegistration> registrations)
{
    private readonly object _lock = new();
    private Built? _built;

    /// <summary>Returns the definitions of every valid job and the problems of the others.</summary>
    public (IReadOnlyList<JobDefinition> Definitions, IReadOnlyList<string> Problems) Build(JobSchedulerOptions options)
    {
        lock (_lock)
        {
            if (_built is null || !ReferenceEquals(_built.Options, options))
            {
                var problems = new List<string>();
                var definitions = JobDefinitionFactory.CreateAll(registrations, options, problems);
                _built = new Built(options, definitions, problems);
            }

            return (_built.Definitions, _built.Problems);
        }
    }

    private sealed record Built(JobSchedulerOptions Options, List<JobDefinition> Definitions, List<string> Problems);
}
