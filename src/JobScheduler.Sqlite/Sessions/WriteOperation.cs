namespace JobScheduler.Sqlite.Sessions;

/// <summary>
/// One write waiting in the <see cref="SqliteWriteQueue"/>. Its caller awaits <see cref="Completion"/>, which completes
/// when the transaction holding the write commits, and fails with the error if it does not.
/// </summary>
internal sealed class WriteOperation
{
    private readonly TaskCompletionSource<int> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly JobSession? _session;
    private readonly string? _jobName;
    private readonly long _ticks;
    private readonly int _count;
    private int _rows;

    private WriteOperation(WriteKind kind, JobSession? session, string? jobName, long ticks, int count, CancellationToken cancellationToken)
    {
        Kind = kind;
        _session = session;
        _jobName = jobName;
        _ticks = ticks;
        _count = count;
        CancellationToken = cancellationToken;
    }

    public enum WriteKind
    {
        Start,
        End,
        Occurrence,
        Purge,
        Trim,
    }

    public WriteKind Kind { get; }

    /// <summary>Gets the caller's token: a write cancelled before its batch begins is not written.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets the rows the write changed, once committed.</summary>
    public Task<int> Completion => _completion.Task;

    public static WriteOperation Start(JobSession session, CancellationToken cancellationToken)
        => new(WriteKind.Start, session, null, 0, 0, cancellationToken);

    public static WriteOperation End(JobSession session, CancellationToken cancellationToken)
        => new(WriteKind.End, session, null, 0, 0, cancellationToken);

    public static WriteOperation Occurrence(string jobName, DateTimeOffset occurrence, CancellationToken cancellationToken)
        => new(WriteKind.Occurrence, null, jobName, occurrence.UtcTicks, 0, cancellationToken);

    public static WriteOperation Purge(DateTimeOffset endedBefore, CancellationToken cancellationToken)
        => new(WriteKind.Purge, null, null, endedBefore.UtcTicks, 0, cancellationToken);

    public static WriteOperation Trim(int maxSessionsPerJob, CancellationToken cancellationToken)
        => new(WriteKind.Trim, null, null, 0, maxSessionsPerJob, cancellationToken);

    /// <summary>Runs the write inside the open transaction of <paramref name="commands"/>.</summary>
    public void Execute(WriterCommands commands) => _rows = Kind switch
    {
        WriteKind.Start => commands.RecordStart(_session!),
        WriteKind.End => commands.RecordEnd(_session!),
        WriteKind.Occurrence => commands.RecordOccurrence(_jobName!, _ticks),
        WriteKind.Purge => commands.Purge(_ticks),
        _ => commands.Trim(_count),
    };

    /// <summary>Completes the caller's task after the transaction committed.</summary>
    public void Committed() => _completion.TrySetResult(_rows);

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    public void Cancel() => _completion.TrySetCanceled(CancellationToken);

    /// <summary>Names the write for logs.</summary>
    public string Describe() => Kind switch
    {
        WriteKind.Start => $"start of session {_session!.Id} ({_session.JobName})",
        WriteKind.End => $"end of session {_session!.Id} ({_session.JobName}, {_session.Status})",
        WriteKind.Occurrence => $"last occurrence of {_jobName}",
        WriteKind.Purge => "purge",
        _ => "trim",
    };
}
