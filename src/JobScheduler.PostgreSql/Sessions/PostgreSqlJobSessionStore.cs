using JobScheduler.PostgreSql.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace JobScheduler.PostgreSql.Sessions;

/// <summary>
/// Keeps sessions and each job's last occurrence in PostgreSQL, in the configured schema, which it creates and migrates
/// on first use. Writes go through one batching writer; reads and purges use their own pooled connections.
/// </summary>
internal sealed class PostgreSqlJobSessionStore : IJobSessionStore, IJobOccurrenceStore, IJobSessionRetention, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly SessionSql _sql;
    private readonly SessionWriter _writer;
    private readonly ILogger _logger;
    private readonly string _schema;
    private readonly SemaphoreSlim _initialization = new(1, 1);
    private volatile bool _initialized;
    private int _disposed;

    public PostgreSqlJobSessionStore(IOptions<PostgreSqlStoreOptions> options, ILogger<PostgreSqlJobSessionStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        ArgumentException.ThrowIfNullOrWhiteSpace(value.ConnectionString, "options.ConnectionString");
        _schema = value.Schema;
        _sql = new SessionSql(_schema);
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        var builder = new NpgsqlDataSourceBuilder(value.ConnectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "JobScheduler";
        _dataSource = builder.Build();
        _writer = new SessionWriter(_dataSource, InitializeAsync, _logger);
    }

    /// <summary>Gets the schema this store uses.</summary>
    internal string Schema => _schema;

    /// <summary>Gets the pooled connections of this store, shared with the cluster coordinator.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new ValueTask(_writer.WriteAsync(_sql.RecordStart, session, cancellationToken));
    }

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new ValueTask(_writer.WriteAsync(_sql.RecordEnd, session, cancellationToken));
    }

    public async ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, nameof(query.Limit));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        var sql = _sql.Query(query.JobName is not null, query.Status is not null, query.Since is not null);
        return await PooledConnection.RunAsync<IReadOnlyList<JobSession>>(_dataSource, async (connection, ct) =>
        {
            using var command = new NpgsqlCommand(sql, connection);
            if (query.JobName is { } jobName)
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = jobName });
            }

            if (query.Status is { } status)
            {
                command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)status });
            }

            if (query.Since is { } since)
            {
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime() });
            }

            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.Limit });

            var sessions = new List<JobSession>(Math.Min(query.Limit, 256));
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    sessions.Add(SessionRows.Read(reader));
                }
            }

            return sessions;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteNonQueryAsync(_sql.Purge, new NpgsqlParameter<DateTimeOffset> { TypedValue = endedBefore.ToUniversalTime() }, null, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> TrimAsync(int maxSessionsPerJob, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSessionsPerJob, 1);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteNonQueryAsync(
            _sql.Trim,
            new NpgsqlParameter<int> { TypedValue = maxSessionsPerJob },
            new NpgsqlParameter<short> { TypedValue = (short)JobSessionStatus.Running },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<DateTimeOffset?> GetLastOccurrenceAsync(string jobName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobName);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await PooledConnection.RunAsync<DateTimeOffset?>(_dataSource, async (connection, ct) =>
        {
            using var command = new NpgsqlCommand(_sql.GetLastOccurrence, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = jobName });
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RecordOccurrenceAsync(string jobName, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobName);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteNonQueryAsync(
            _sql.RecordOccurrence,
            new NpgsqlParameter<string> { TypedValue = SessionRows.Clean(jobName) },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = occurrence.ToUniversalTime() },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates or migrates the schema once; a failure is not remembered, so the next call tries again.</summary>
    internal ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return InitializeAsync(cancellationToken);
    }

    /// <summary>As <see cref="EnsureInitializedAsync"/>, for the writer, which still drains its queue during disposal.</summary>
    private async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await SchemaMigrator.MigrateAsync(_dataSource, _schema, _logger, cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initialization.Release();
        }
    }

    /// <summary>Runs an idempotent statement with up to two parameters; a replay after a dead pooled connection is harmless.</summary>
    private Task<int> ExecuteNonQueryAsync(string sql, NpgsqlParameter first, NpgsqlParameter? second, CancellationToken cancellationToken)
        => PooledConnection.RunAsync(_dataSource, async (connection, ct) =>
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(first.Clone());
            if (second is not null)
            {
                command.Parameters.Add(second.Clone());
            }

            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Finishes the queued writes, then closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initialization.Dispose();
    }

    /// <summary>Synchronous disposal for containers that cannot dispose asynchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
