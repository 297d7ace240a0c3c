using JobScheduler.Diagnostics;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Execution;

/// <summary>
/// Writes to the session store so that a store that throws or hangs never holds up a job: a write that fails or
/// exceeds <see cref="JobSchedulerOptions.StoreWriteTimeout"/> is queued (bounded by
/// <see cref="JobSchedulerOptions.MaxBufferedWrites"/>, oldest dropped and counted) and retried in order, with a
/// backoff on the scheduler's clock, until the store is back. While anything is queued, new writes queue behind it so
/// a session's end never overtakes its start. Writes are upserts by id, so a timed-out write that lands late does no harm.
/// </summary>
/// <remarks>
/// The write timeout runs on the real clock on purpose: it bounds real I/O, and a fake clock that jumps ahead in a test
/// must not time out a database commit that is still running.
/// </remarks>
internal sealed class StoreWriteBuffer : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly IJobSessionStore _store;
    private readonly TimeProvider _time;
    private readonly JobSchedulerOptions _options;
    private readonly ILogger _logger;
    private readonly RunMonitor? _monitor;
    private readonly Queue<PendingWrite> _queue = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource? _drained;
    private long _sequence;
    private long _dropped;
    private volatile bool _flushing;
    private volatile Task? _clockWait;

    public StoreWriteBuffer(IJobSessionStore store, TimeProvider time, JobSchedulerOptions options, ILogger logger, RunMonitor? monitor)
    {
        _store = store;
        _time = time;
        _options = options;
        _logger = logger;
        _monitor = monitor;
    }

    /// <summary>Gets a value indicating whether nothing is queued, or the retry loop waits out its backoff on the scheduler's clock.</summary>
    public bool IsSettled
    {
        get
        {
            lock (_queue)
            {
                // Settled only while the timer is still pending: once it fired, the loop has work to do.
                return !_flushing || _clockWait is { IsCompleted: false };
            }
        }
    }

    public int QueuedCount
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    public ValueTask WriteAsync(WriteKind kind, JobSession session) => WriteAsync(new PendingWrite(kind, session, null, default, 0));

    public ValueTask WriteOccurrenceAsync(string jobName, DateTimeOffset occurrence) => WriteAsync(new PendingWrite(WriteKind.Occurrence, null, jobName, occurrence, 0));

    /// <summary>
    /// At shutdown: waits up to the shutdown grace period (on the scheduler's clock) or the host's deadline for queued
    /// writes to reach the store, then stops retrying and logs what was lost.
    /// </summary>
    public async Task FlushAsync(ShutdownProgress progress, CancellationToken cancellationToken)
    {
        Task? drained = null;
        lock (_queue)
        {
            if (_flushing)
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }
        }

        if (drained is not null)
        {
            await progress.WaitingOn(drained.WaitAsync(_options.ShutdownGracePeriod, _time, cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        int lost;
        lock (_queue)
        {
            lost = _queue.Count;
        }

        if (lost > 0)
        {
            Log.StoreWritesLostAtShutdownMessage(_logger, lost);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private ValueTask WriteAsync(PendingWrite write)
    {
        // A healthy store (the common case) takes no lock: two writes per run from every thread would contend on it.
        // Reading the flag outside the lock leaves the same window as reading it inside and releasing the lock before
        // the write: the flag only ever orders writes behind writes that already failed.
        if (_flushing)
        {
            lock (_queue)
            {
                if (_flushing)
                {
                    Enqueue(write);
                    return ValueTask.CompletedTask;
                }
            }
        }

        ValueTask pending;
        try
        {
            pending = Execute(write);
        }
        catch (Exception ex)
        {
            OnWriteFailed(write, ex);
            return ValueTask.CompletedTask;
        }

        // A write that completed at once (the in-memory store, always) needs no async state machine.
        return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : WaitForWriteAsync(write, pending);
    }

    private async ValueTask WaitForWriteAsync(PendingWrite write, ValueTask pending)
    {
        try
        {
            // A hanging store must not hold the job for longer than the write timeout.
            await pending.AsTask().WaitAsync(_options.StoreWriteTimeout, TimeProvider.System).ConfigureAwait(false); // clock-ok: bounds real I/O
        }
        catch (Exception ex)
        {
            OnWriteFailed(write, ex);
        }
    }

    /// <summary>Queues a write that failed or timed out, and starts the loop that retries the queue if it is not running.</summary>
    private void OnWriteFailed(PendingWrite write, Exception ex)
    {
        Log.StoreWriteFailedMessage(_logger, ex, write.Describe());
        lock (_queue)
        {
            Enqueue(write);
            if (!_flushing)
            {
                _flushing = true;

                // The loop belongs to no run: its timers must not count as a run waiting on the clock.
                using (ExecutionContext.SuppressFlow())
                {
                    _ = Task.Run(FlushLoopAsync);
                }
            }
        }

        _monitor?.NotifyChanged();
    }

    private ValueTask Execute(PendingWrite write) => write.Kind switch
    {
        WriteKind.Start => _store.RecordStartAsync(write.Session!, CancellationToken.None),
        WriteKind.End => _store.RecordEndAsync(write.Session!, CancellationToken.None),
        _ => ((IJobOccurrenceStore)_store).RecordOccurrenceAsync(write.JobName!, write.Occurrence, CancellationToken.None),
    };

    private void Enqueue(PendingWrite write)
    {
        _queue.Enqueue(write with { Sequence = ++_sequence });
        if (_queue.Count > _options.MaxBufferedWrites)
        {
            var dropped = _queue.Dequeue();
            if (++_dropped == 1 || _dropped % 1000 == 0)
            {
                Log.StoreWritesDroppedMessage(_logger, _dropped, _options.MaxBufferedWrites, dropped.Describe());
            }
        }
    }

    private async Task FlushLoopAsync()
    {
        var failures = 0;
        while (true)
        {
            if (_stopping.IsCancellationRequested)
            {
                return; // the scheduler has stopped: the store may already be disposed
            }

            PendingWrite head;
            lock (_queue)
            {
                if (!_queue.TryPeek(out head))
                {
                    _flushing = false;
                    _drained?.TrySetResult();
                    _drained = null;
                    Log.StoreRecoveredMessage(_logger, _dropped);
                    _dropped = 0;
                    _monitor?.NotifyChanged();
                    return;
                }
            }

            try
            {
                await Execute(head).AsTask().WaitAsync(_options.StoreWriteTimeout, TimeProvider.System).ConfigureAwait(false); // clock-ok: bounds real I/O

                lock (_queue)
                {
                    // The head may have been dropped for space while it was being written.
                    if (_queue.TryPeek(out var current) && current.Sequence == head.Sequence)
                    {
                        _queue.Dequeue();
                    }
                }

                failures = 0;
            }
            catch (Exception ex)
            {
                failures++;
                if (failures == 1 || failures % 10 == 0)
                {
                    Log.StoreStillFailingMessage(_logger, ex, QueuedCount, failures);
                }

                // Capped exponential backoff. Hand-written rather than Polly so the wait exists before the loop says
                // it is waiting: the fake-clock test host reads that to know the loop needs the clock to move.
                var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures - 1, 10))));
                var wait = Task.Delay(delay, _time, _stopping.Token);
                _clockWait = wait;
                _monitor?.NotifyChanged();
                try
                {
                    await wait.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    internal enum WriteKind
    {
        Start,
        End,
        Occurrence,
    }

    private readonly record struct PendingWrite(WriteKind Kind, JobSession? Session, string? JobName, DateTimeOffset Occurrence, long Sequence)
    {
        public string Describe() => Session is { } s
            ? $"{Kind} of session {s.Id} of job {s.JobName} ({s.Status})"
            : $"last occurrence {Occurrence:O} of job {JobName}";
    }
}
