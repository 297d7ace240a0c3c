using JobScheduler.Sqlite.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sqlite.Sessions;

/// <summary>
/// The embedded persistent store: sessions and each job's last occurrence in one SQLite file (WAL), the schema created
/// and migrated on first use, writes batched by one background writer, reads on their own pooled connections.
/// </summary>
internal sealed class SqliteJobSessionStore : IJobSessionStore, IJobOccurrenceStore, IJobSessionRetention, IAsyncDisposable, IDisposable
{
    // One query text per combination of filters (bit 0: job name, 1: status, 2: since), built once.
    private static readonly string[] QueryTexts = [.. Enumerable.Range(0, 8).Select(BuildQueryText)];

    private readonly SqliteDatabase _database;
    private readonly SqliteWriteQueue _writes;

    public SqliteJobSessionStore(IOptions<SqliteStoreOptions> options, ILoggerFactory? loggerFactory = null)
        : this(
            (options ?? throw new ArgumentNullException(nameof(options))).Value,
            (ILogger?)loggerFactory?.CreateLogger("JobScheduler.Sqlite") ?? NullLogger.Instance,
            SqliteSchema.Migrations)
    {
    }

    internal SqliteJobSessionStore(SqliteStoreOptions options, ILogger logger, IReadOnlyList<SqliteMigration> migrations)
    {
        _database = new SqliteDatabase(options.ConnectionString, migrations, logger);
        _writes = new SqliteWriteQueue(_database, options.MaxBatchSize, logger);
    }

    /// <summary>Gets the database (tests look at the file through it).</summary>
    internal SqliteDatabase Database => _database;

    /// <summary>Gets the background writer (tests look at batching through it).</summary>
    internal SqliteWriteQueue Writes => _writes;

    public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Write(WriteOperation.Start(session, cancellationToken), cancellationToken);
    }

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Write(WriteOperation.End(session, cancellationToken), cancellationToken);
    }

    public async ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, nameof(query.Limit));

        var connection = await _database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            var shape = 0;
            if (query.JobName is not null)
            {
                shape |= 1;
                command.Parameters.Add("@job_name", SqliteType.Text).Value = query.JobName;
            }

            if (query.Status is { } status)
            {
                shape |= 2;
                command.Parameters.Add("@status", SqliteType.Integer).Value = (int)status;
            }

            if (query.Since is { } since)
            {
                shape |= 4;
                command.Parameters.Add("@since", SqliteType.Integer).Value = since.UtcTicks;
            }

            command.Parameters.Add("@limit", SqliteType.Integer).Value = query.Limit;
            command.CommandText = QueryTexts[shape];

            var sessions = new List<JobSession>(Math.Min(query.Limit, 256));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    sessions.Add(SessionRows.Read(reader));
                }
            }

            return sessions;
        }
    }

    public async ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _writes.EnqueueAsync(WriteOperation.Purge(endedBefore, cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask<int> TrimAsync(int maxSessionsPerJob, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSessionsPerJob, 1);
        cancellationToken.ThrowIfCancellationRequested();
        return await _writes.EnqueueAsync(WriteOperation.Trim(maxSessionsPerJob, cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask<DateTimeOffset?> GetLastOccurrenceAsync(string jobName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobName);
        var connection = await _database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT last_occurrence FROM job_state WHERE job_name = @job_name;";
            command.Parameters.Add("@job_name", SqliteType.Text).Value = jobName;
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is long ticks ? SessionRows.FromTicks(ticks) : null;
        }
    }

    public ValueTask RecordOccurrenceAsync(string jobName, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobName);
        return Write(WriteOperation.Occurrence(jobName, occurrence, cancellationToken), cancellationToken);
    }

    /// <summary>Commits every write already queued, then closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writes.DisposeAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Commits every write already queued, then closes the database, blocking the caller. For containers disposed
    /// synchronously; prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private ValueTask Write(WriteOperation operation, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return new ValueTask(_writes.EnqueueAsync(operation));
    }

    private static string BuildQueryText(int shape)
    {
        var filters = new List<string>(3);
        if ((shape & 1) != 0)
        {
            filters.Add("job_name = @job_name");
        }

        if ((shape & 2) != 0)
        {
            filters.Add("status = @status");
        }

        if ((shape & 4) != 0)
        {
            filters.Add("started_at >= @since");
        }

        var where = filters.Count == 0 ? "" : " WHERE " + string.Join(" AND ", filters);
        return "SELECT " + SessionRows.Columns + " FROM sessions" + where + " ORDER BY started_at DESC, seq DESC LIMIT @limit;";
    }
}
