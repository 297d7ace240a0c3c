using System.Threading.Channels;
using JobScheduler.PostgreSql.Diagnostics;
using JobScheduler.PostgreSql.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobScheduler.PostgreSql.Sessions;

/// <summary>
/// Writes sessions through one loop that sends whatever has queued up as one <see cref="NpgsqlBatch"/> (one round trip,
/// one implicit transaction). Each caller awaits its own write. When the server rejects a statement, the batch is
/// replayed one write at a time so only the offending write fails; when the server cannot be reached, every write of
/// the batch fails with that error. Writes are idempotent upserts, so replaying them is safe.
/// </summary>
internal sealed class SessionWriter : IAsyncDisposable
{
    /// <summary>At most this many writes share one round trip.</summary>
    internal const int MaxBatchSize = 100;

    private readonly NpgsqlDataSource _dataSource;
    private readonly Func<CancellationToken, ValueTask> _ensureSchema;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly Task _loop;

    /// <param name="dataSource">The connections.</param>
    /// <param name="ensureSchema">Creates or migrates the schema; called before each batch, cheap once it has succeeded.</param>
    /// <param name="logger">The store's logger.</param>
    public SessionWriter(NpgsqlDataSource dataSource, Func<CancellationToken, ValueTask> ensureSchema, ILogger logger)
    {
        _dataSource = dataSource;
        _ensureSchema = ensureSchema;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues one statement for <paramref name="session"/> at once, so writes reach the database in call order, and
    /// completes when it is committed.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public Task WriteAsync(string sql, JobSession session, CancellationToken cancellationToken)
    {
        var pending = new PendingWrite(sql, session);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(PostgreSqlJobSessionStore), "The PostgreSQL session store was disposed; the write was not queued.");
        }

        // Cancelling stops the wait, not the write: once queued, the write may still be applied.
        return cancellationToken.CanBeCanceled ? pending.Completion.Task.WaitAsync(cancellationToken) : pending.Completion.Task;
    }

    /// <summary>Stops taking writes, finishes the queued ones, and returns when the loop has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>(MaxBatchSize);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < MaxBatchSize && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await WriteBatchAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
#pragma warning disable CA1031 // The loop must never die silently: every caller still waiting gets the fault.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.WriterFaultMessage(_logger, ex);
            _queue.Writer.TryComplete(ex);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }

            while (reader.TryRead(out var pending))
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    private async Task WriteBatchAsync(List<PendingWrite> batch)
    {
        try
        {
            await _ensureSchema(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Not swallowed: the exception goes to every caller of the batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // No schema (server down, a newer schema version, no privilege): no write of the batch can succeed.
            Fail(batch, ex);
            return;
        }

        try
        {
            await ExecuteAsync(batch).ConfigureAwait(false);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult();
            }

            return;
        }
        catch (PostgresException ex) when (batch.Count > 1)
        {
            // The server rejected one statement and rolled the batch back: find out which, one write at a time.
            Log.WriteBatchFailedMessage(_logger, ex, batch.Count);
        }
#pragma warning disable CA1031 // Not swallowed: the exception goes to every caller of the batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(batch, ex);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                await ExecuteAsync([pending]).ConfigureAwait(false);
                pending.Completion.TrySetResult();
            }
#pragma warning disable CA1031 // Not swallowed: the exception goes to the write's caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    private static void Fail(List<PendingWrite> batch, Exception exception)
    {
        foreach (var pending in batch)
        {
            pending.Completion.TrySetException(exception);
        }
    }

    private Task<int> ExecuteAsync(IReadOnlyList<PendingWrite> writes)
        => PooledConnection.RunAsync(_dataSource, async (connection, ct) =>
        {
            using var batch = new NpgsqlBatch(connection);
            foreach (var write in writes)
            {
                var command = new NpgsqlBatchCommand(write.Sql);
                SessionRows.Bind(command.Parameters, write.Session);
                batch.BatchCommands.Add(command);
            }

            return await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, CancellationToken.None);

    private sealed class PendingWrite(string sql, JobSession session)
    {
        public string Sql { get; } = sql;

        public JobSession Session { get; } = session;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
