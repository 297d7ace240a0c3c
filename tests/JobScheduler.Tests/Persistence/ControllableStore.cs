using JobScheduler.Sessions;
using Microsoft.Extensions.Options;

namespace JobScheduler.Tests.Persistence;

/// <summary>An in-memory store whose writes can be made to throw or hang, standing in for a database outage.</summary>
internal sealed class ControllableStore : IJobSessionStore, IJobOccurrenceStore
{
    private readonly InMemoryJobSessionStore _inner = new(Options.Create(new InMemorySessionStoreOptions { MaxSessionsPerJob = 100_000 }));
    private readonly Dictionary<string, DateTimeOffset> _occurrences = new(StringComparer.Ordinal);
    private TaskCompletionSource _hang = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StoreMode Mode { get; set; }

    public int FailedWrites { get; private set; }

    public void Heal()
    {
        Mode = StoreMode.Healthy;
        _hang.TrySetResult();
        _hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
        => Write(() => _inner.RecordStartAsync(session, cancellationToken));

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
        => Write(() => _inner.RecordEndAsync(session, cancellationToken));

    public ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
        => _inner.QueryAsync(query, cancellationToken);

    public ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
        => _inner.PurgeAsync(endedBefore, cancellationToken);

    public ValueTask<DateTimeOffset?> GetLastOccurrenceAsync(string jobName, CancellationToken cancellationToken)
    {
        lock (_occurrences)
        {
            return ValueTask.FromResult<DateTimeOffset?>(_occurrences.TryGetValue(jobName, out var at) ? at : null);
        }
    }

    public ValueTask RecordOccurrenceAsync(string jobName, DateTimeOffset occurrence, CancellationToken cancellationToken)
        => Write(() =>
        {
            lock (_occurrences)
            {
                if (!_occurrences.TryGetValue(jobName, out var stored) || occurrence > stored)
                {
                    _occurrences[jobName] = occurrence;
                }
            }

            return ValueTask.CompletedTask;
        });

    private static async ValueTask WriteWhenHealedAsync(Task healed, Func<ValueTask> write)
    {
        await healed;
        await write();
    }

    private ValueTask Write(Func<ValueTask> write)
    {
        switch (Mode)
        {
            case StoreMode.Throwing:
                FailedWrites++;
                throw new InvalidOperationException("The database is down.");
            case StoreMode.Hanging:
                FailedWrites++;
                return WriteWhenHealedAsync(_hang.Task, write); // like a stalled database: the write lands once it recovers
            default:
                return write();
        }
    }
}

internal enum StoreMode
{
    Healthy,
    Throwing,
    Hanging,
}
