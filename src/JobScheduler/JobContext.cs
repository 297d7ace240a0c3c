using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler;

/// <summary>Describes one attempt of a job run. A new context is created for every attempt.</summary>
public sealed class JobContext
{
    private readonly IServiceScopeFactory _scopeFactory;
    private Dictionary<string, string>? _metadata;
    private IServiceScope? _scope; // null until first use; ClosedScope.Instance once the attempt has ended

    internal JobContext(
        string jobName,
        Guid sessionId,
        DateTimeOffset scheduledAt,
        DateTimeOffset startedAt,
        int attempt,
        JobTrigger trigger,
        IServiceScopeFactory scopeFactory)
    {
        JobName = jobName;
        SessionId = sessionId;
        ScheduledAt = scheduledAt;
        StartedAt = startedAt;
        Attempt = attempt;
        Trigger = trigger;
        _scopeFactory = scopeFactory;
    }

    /// <summary>Gets the name of the job.</summary>
    public string JobName { get; }

    /// <summary>Gets the <see cref="JobSession.Id"/> of the session that records this attempt.</summary>
    public Guid SessionId { get; }

    /// <summary>Gets the occurrence this run belongs to (for a manual run, the time it was requested).</summary>
    public DateTimeOffset ScheduledAt { get; }

    /// <summary>Gets the time this attempt started, by the scheduler's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Gets the attempt number, starting at 1. Values above 1 are retries.</summary>
    public int Attempt { get; }

    /// <summary>Gets why the run was started.</summary>
    public JobTrigger Trigger { get; }

    /// <summary>Gets the service provider of the dependency-injection scope created for this attempt.</summary>
    /// <remarks>The scope is created on first use (or before the job when the job's class needs services).</remarks>
    public IServiceProvider Services => (Volatile.Read(ref _scope) ?? OpenScope()).ServiceProvider;

    /// <summary>
    /// Gets key/value pairs saved with the attempt's session when it ends (for example counts of processed records).
    /// </summary>
    public IDictionary<string, string> Metadata => _metadata ??= new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Ends the attempt's scope, if it was opened: disposes scoped services as <see cref="AsyncServiceScope"/> would. A job
    /// with no dependencies that never reads <see cref="Services"/> gets no scope at all; creating and disposing one
    /// was ~150 bytes and a noticeable share of each run's time at thousands of runs a second.
    /// </summary>
    internal ValueTask CloseScopeAsync()
    {
        var scope = Interlocked.Exchange(ref _scope, ClosedScope.Instance);
        if (scope is IAsyncDisposable asyncScope)
        {
            return asyncScope.DisposeAsync();
        }

        scope?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The metadata written by the job, or <see langword="null"/> when it wrote none (saves an allocation per run).</summary>
    internal IReadOnlyDictionary<string, string>? MetadataOrNull => _metadata;

    private IServiceScope OpenScope()
    {
        // The job may read Services from several threads at once: one scope wins, the others are disposed unused.
        var scope = _scopeFactory.CreateScope();
        if (Interlocked.CompareExchange(ref _scope, scope, null) is { } existing)
        {
            scope.Dispose();
            return existing;
        }

        return scope;
    }

    /// <summary>What <see cref="Services"/> gives after the attempt ended (work the job left behind): a disposed scope.</summary>
    private sealed class ClosedScope : IServiceScope, IServiceProvider
    {
        public static readonly ClosedScope Instance = new();

        public IServiceProvider ServiceProvider => this;

        public object GetService(Type serviceType)
            => throw new ObjectDisposedException(nameof(IServiceProvider), "The attempt has ended, and its dependency-injection scope with it.");

        public void Dispose()
        {
        }
    }
}
