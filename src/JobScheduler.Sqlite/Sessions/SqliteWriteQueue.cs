using System.Threading.Channels;
using JobScheduler.Sqlite.Database;
using JobScheduler.Sqlite.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Sqlite.Sessions;

/// <summary>
/// The single writer of the store. Callers enqueue writes and await their commit; one background loop takes every
/// write queued (up to the batch size) and commits them in one transaction, so a burst of runs costs a few
/// transactions, not one each, and no two writers ever contend for SQLite's write lock inside this process.
/// </summary>
/// <remarks>
/// A write that fails on its own (a constraint, a value SQLite rejects) is failed alone and the rest of its batch is
/// committed without it; any other failure (disk full, database locked by another process past the timeout) fails
/// every write of the batch. Either way each caller sees the exception of its own write.
/// </remarks>
internal sealed class SqliteWriteQueue : IAsyncDisposable
{
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    private readonly SqliteDatabase _database;
    private readonly int _maxBatchSize;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private WriterCommands? _commands;
    private volatile Exception? _fault;
    private long _transactions;

    public SqliteWriteQueue(SqliteDatabase database, int maxBatchSize, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _database = database;
        _maxBatchSize = maxBatchSize;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets how many write transactions have committed (for tests of batching).</summary>
    public long CommittedTransactions => Interlocked.Read(ref _transactions);

    /// <summary>Queues a write; the task completes with its changed-row count when its transaction commits.</summary>
    public Task<int> EnqueueAsync(WriteOperation operation)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            return Task.FromException<int>(_fault is { } fault
                ? new InvalidOperationException($"The SQLite session store '{_database.DataSource}' stopped writing after an unexpected error.", fault)
                : new ObjectDisposedException(nameof(SqliteJobSessionStore), "The SQLite session store is disposed."));
        }

        return operation.Completion;
    }

    /// <summary>Stops taking writes, commits everything already queued, and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _commands?.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WriteOperation>();
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _maxBatchSize && reader.TryRead(out var operation))
                {
                    if (operation.CancellationToken.IsCancellationRequested)
                    {
                        operation.Cancel();
                    }
                    else
                    {
                        batch.Add(operation);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    await _database.EnsureInitializedAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Opening or migrating failed: these writes fail with the reason, the next batch tries again.
                    FailAll(batch, ex);
                    continue;
                }

                Commit(batch);
            }
        }
        catch (Exception ex)
        {
            // A bug, not a database error (those are handled per batch): fail what is queued, refuse what comes.
            _fault = ex;
            Log.WriterFaultMessage(_logger, ex, _database.DataSource);
            _queue.Writer.TryComplete(ex);
            FailAll(batch, ex);
            while (reader.TryRead(out var operation))
            {
                operation.Fail(ex);
            }
        }
    }

    private void Commit(List<WriteOperation> batch)
    {
        var connection = _database.Writer;
        _commands ??= new WriterCommands(connection);
        var pending = batch;
        while (true)
        {
            var executing = -1;
            try
            {
                using (var transaction = connection.BeginTransaction())
                {
                    _commands.Use(transaction);
                    for (var i = 0; i < pending.Count; i++)
                    {
                        executing = i;
                        pending[i].Execute(_commands);
                    }

                    executing = -1;
                    transaction.Commit();
                }

                _commands.Use(null);
            }
            catch (Exception ex)
            {
                _commands.Use(null);
                if (executing >= 0 && pending.Count > 1 && IsFaultOfOneWrite(ex))
                {
                    // Drop the write that failed and commit the others without it.
                    var rejected = pending[executing];
                    Log.WriteRejectedMessage(_logger, ex, _database.DataSource, rejected.Describe());
                    rejected.Fail(ex);
                    pending = [.. pending.Where(operation => !ReferenceEquals(operation, rejected))];
                    continue;
                }

                Log.BatchFailedMessage(_logger, ex, _database.DataSource, pending.Count);
                FailAll(pending, ex);
                return;
            }

            Interlocked.Increment(ref _transactions);
            foreach (var operation in pending)
            {
                operation.Committed();
            }

            return;
        }
    }

    /// <summary>Errors that belong to the statement's values, not to the database: retrying the others can succeed.</summary>
    private static bool IsFaultOfOneWrite(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteErrorCodes.Constraint or SqliteErrorCodes.TooBig or SqliteErrorCodes.Mismatch,
        _ => exception is ArgumentException or FormatException or NotSupportedException or InvalidCastException or System.Text.Json.JsonException,
    };

    private static void FailAll(List<WriteOperation> operations, Exception exception)
    {
        foreach (var operation in operations)
        {
            operation.Fail(exception);
        }
    }

    private static class SqliteErrorCodes
    {
        public const int TooBig = 18;
        public const int Constraint = 19;
        public const int Mismatch = 20;
    }
}
