namespace JobScheduler.Sessions;

/// <summary>
/// A <see cref="JobSession"/> kept by value, in 80 bytes: times as UTC ticks with their offset in minutes, the job name
/// and the id left to the log. At thousands of runs a second, session objects kept for a job's next hundred runs all
/// survive the young generation and are promoted and copied by the collector; a value in an array that is already old
/// costs it nothing, because what the value still references (the instance id, the shared empty metadata, an error
/// when there was one) is long-lived in the common case. The session object is built again when it is read.
/// </summary>
internal readonly struct StoredSession
{
    private readonly long _scheduledAt;
    private readonly long _startedAt;
    private readonly long _endedAt;
    private readonly long _duration;
    private readonly string? _error;
    private readonly string? _instanceId;
    private readonly IReadOnlyDictionary<string, string> _metadata;
    private readonly int _attempt;
    private readonly short _scheduledOffset;
    private readonly short _startedOffset;
    private readonly short _endedOffset;
    private readonly byte _status;
    private readonly byte _trigger;
    private readonly bool _hasEnded;
    private readonly bool _hasDuration;

    public StoredSession(long sequence, JobSession session)
    {
        Sequence = sequence;
        (_scheduledAt, _scheduledOffset) = Pack(session.ScheduledAt);
        (_startedAt, _startedOffset) = Pack(session.StartedAt);
        if (session.EndedAt is { } ended)
        {
            (_endedAt, _endedOffset) = Pack(ended);
            _hasEnded = true;
        }

        if (session.Duration is { } duration)
        {
            _duration = duration.Ticks;
            _hasDuration = true;
        }

        _status = (byte)session.Status;
        _trigger = (byte)session.Trigger;
        _attempt = session.Attempt;
        _error = session.Error;
        _instanceId = session.InstanceId;
        _metadata = session.Metadata;
    }

    /// <summary>Creates the value of a Running session from its values (no end, no error, no metadata).</summary>
    public StoredSession(long sequence, in AttemptStart start)
    {
        Sequence = sequence;
        (_scheduledAt, _scheduledOffset) = Pack(start.ScheduledAt);
        (_startedAt, _startedOffset) = Pack(start.StartedAt);
        _status = (byte)JobSessionStatus.Running;
        _trigger = (byte)start.Trigger;
        _attempt = start.Attempt;
        _instanceId = start.InstanceId;
        _metadata = JobSession.EmptyMetadata;
    }

    /// <summary>Gets the insertion order in the store, which breaks ties between equal start times (newest first).</summary>
    public long Sequence { get; }

    public JobSessionStatus Status => (JobSessionStatus)_status;

    public DateTimeOffset StartedAt => Unpack(_startedAt, _startedOffset);

    public DateTimeOffset? EndedAt => _hasEnded ? Unpack(_endedAt, _endedOffset) : null;

    /// <summary>Gets the start in UTC ticks, for ordering without building a <see cref="DateTimeOffset"/>.</summary>
    public long StartedAtUtcTicks => _startedAt;

    /// <summary>Builds the session as it was written; a new object each time, so a query result is a snapshot.</summary>
    public JobSession ToSession(Guid id, string jobName) => new()
    {
        Id = id,
        JobName = jobName,
        Trigger = (JobTrigger)_trigger,
        ScheduledAt = Unpack(_scheduledAt, _scheduledOffset),
        StartedAt = StartedAt,
        EndedAt = EndedAt,
        Duration = _hasDuration ? TimeSpan.FromTicks(_duration) : null,
        Status = Status,
        Attempt = _attempt,
        Error = _error,
        InstanceId = _instanceId,
        Metadata = _metadata,
    };

    // Offsets are whole minutes (DateTimeOffset requires it) within ±14 hours, so a short holds them.
    private static (long UtcTicks, short OffsetMinutes) Pack(DateTimeOffset time)
        => (time.UtcTicks, (short)(time.Offset.Ticks / TimeSpan.TicksPerMinute));

    private static DateTimeOffset Unpack(long utcTicks, short offsetMinutes)
    {
        var offset = TimeSpan.FromMinutes(offsetMinutes);
        return new DateTimeOffset(utcTicks + offset.Ticks, offset);
    }
}
