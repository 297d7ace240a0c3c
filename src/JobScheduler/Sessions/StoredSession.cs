namespace JobScheduler.Sessions;

/// <summary>
/// The values of a <see cref="JobSession"/>, in 56 bytes and without a reference: times as UTC ticks with their offset
/// in minutes, and the instance id as an index into the store's table of them. What a session references (an error,
/// metadata, an instance id not in the table) is kept apart, as <see cref="SessionDetails"/>; the id and the job name
/// are left to the log. The session object is built again when it is read.
/// </summary>
/// <remarks>
/// At thousands of runs a second, session objects kept for a job's next hundred runs would all survive the young
/// generation and be promoted and copied by the collector. Values in arrays cost it less, and values without a
/// reference cost it nothing: it never scans an array of them, so the store's slots, 100 sessions per job and 70 MB
/// at 10,000 jobs, add no work to a full collection (docs/performance.md, twelfth round).
/// </remarks>
internal readonly struct StoredSession
{
    private readonly long _scheduledAt;
    private readonly long _startedAt;
    private readonly long _endedAt;
    private readonly long _duration;
    private readonly int _attempt;
    private readonly short _scheduledOffset;
    private readonly short _startedOffset;
    private readonly short _endedOffset;
    private readonly ushort _instance;
    private readonly byte _status;
    private readonly byte _trigger;
    private readonly bool _hasEnded;
    private readonly bool _hasDuration;

    /// <summary>Creates the value of <paramref name="session"/>, its instance id being entry <paramref name="instance"/> of the store's table.</summary>
    public StoredSession(long sequence, JobSession session, ushort instance)
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
        _instance = instance;
    }

    /// <summary>Creates the value of a Running session from its values (no end, no error, no metadata).</summary>
    public StoredSession(long sequence, in AttemptStart start, ushort instance)
    {
        Sequence = sequence;
        (_scheduledAt, _scheduledOffset) = Pack(start.ScheduledAt);
        (_startedAt, _startedOffset) = Pack(start.StartedAt);
        _status = (byte)JobSessionStatus.Running;
        _trigger = (byte)start.Trigger;
        _attempt = start.Attempt;
        _instance = instance;
    }

    /// <summary>Gets the insertion order in the store, which breaks ties between equal start times (newest first).</summary>
    public long Sequence { get; }

    public JobSessionStatus Status => (JobSessionStatus)_status;

    public DateTimeOffset StartedAt => Unpack(_startedAt, _startedOffset);

    public DateTimeOffset? EndedAt => _hasEnded ? Unpack(_endedAt, _endedOffset) : null;

    /// <summary>Gets the start in UTC ticks, for ordering without building a <see cref="DateTimeOffset"/>.</summary>
    public long StartedAtUtcTicks => _startedAt;

    /// <summary>Gets the entry of the store's instance table that holds the instance id (see <see cref="SessionSlots"/>).</summary>
    public ushort Instance => _instance;

    /// <summary>Builds the session as it was written; a new object each time, so a query result is a snapshot.</summary>
    public JobSession ToSession(Guid id, string jobName, in SessionDetails details) => new()
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
        Error = details.Error,
        InstanceId = details.InstanceId,
        Metadata = details.Metadata,
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
