using System.Globalization;
using JobScheduler.Sqlite.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Sqlite.Database;

/// <summary>
/// The store's database: one long-lived writer connection, opened and migrated on first use (once, whichever thread
/// gets there first; a failure is retried by the next use), and pooled reader connections opened per query.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    private readonly SqliteConnectionStringBuilder _settings;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly IReadOnlyList<SqliteMigration> _migrations;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Task? _initialization;
    private SqliteConnection? _writer;
    private volatile bool _disposed;

    public SqliteDatabase(string connectionString, IReadOnlyList<SqliteMigration> migrations, ILogger logger)
    {
        _settings = new SqliteConnectionStringBuilder(connectionString);
        _writerConnectionString = SqliteConnectionStrings.ForWriter(_settings);
        _readerConnectionString = SqliteConnectionStrings.ForReaders(_settings);
        _migrations = migrations;
        _logger = logger;
        DataSource = _settings.DataSource;
    }

    /// <summary>Gets the database for messages: the full path of a file once opened, else the configured data source.</summary>
    public string DataSource { get; private set; }

    /// <summary>Gets the writer connection; only the write queue uses it, after <see cref="EnsureInitializedAsync"/>.</summary>
    public SqliteConnection Writer => _writer ?? throw new InvalidOperationException("The SQLite session store is not initialized.");

    /// <summary>Opens the writer connection and migrates the schema, once.</summary>
    public Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var initialization = Volatile.Read(ref _initialization);
        if (initialization is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                // Shared by every caller, so no caller's token cancels it; each caller stops waiting on its own token.
                _initialization = Task.Run(Initialize, CancellationToken.None);
            }

            initialization = _initialization;
        }

        return initialization.WaitAsync(cancellationToken);
    }

    /// <summary>Opens a reader connection (schema ready); the caller disposes it.</summary>
    public async ValueTask<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? initialization;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            initialization = _initialization;
        }

        if (initialization is not null)
        {
            await initialization.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_writer is not null)
        {
            Optimize(_writer);
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        // Close the idle pooled readers too, so the file is released (and its WAL checkpointed) when the store goes.
        using var pooled = new SqliteConnection(_readerConnectionString);
        SqliteConnection.ClearPool(pooled);
    }

    private void Initialize()
    {
        CreateFolder();
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();
            if (!string.IsNullOrEmpty(connection.DataSource))
            {
                DataSource = connection.DataSource;
            }

            // Wait inside SQLite for another process's write lock, up to the connection string's Default Timeout
            // (Microsoft.Data.Sqlite retries busy commands for the same time). PRAGMA takes no parameters; the value is
            // an integer formatted here, never user text.
            var busyTimeoutMs = checked(_settings.DefaultTimeout * 1000);
            ExecuteScalar(connection, "PRAGMA busy_timeout = " + busyTimeoutMs.ToString(CultureInfo.InvariantCulture) + ";");

            // WAL: readers never block the writer or each other. The mode is stored in the file, so it is set once.
            var journalMode = Convert.ToString(ExecuteScalar(connection, "PRAGMA journal_mode = WAL;"), CultureInfo.InvariantCulture) ?? "";
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase) && SqliteConnectionStrings.IsFile(_settings))
            {
                Log.JournalModeNotWalMessage(_logger, DataSource, journalMode);
            }

            // With WAL, NORMAL syncs at checkpoints, not at every commit: a commit survives a process crash, and only
            // the last commits before a power loss can be lost (never corruption).
            ExecuteScalar(connection, "PRAGMA synchronous = NORMAL;");

            SqliteSchema.Migrate(connection, DataSource, _migrations, _logger);

            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _writer = connection;
            }
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InvalidOperationException($"The SQLite session store could not open '{DataSource}': {ex.Message}", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void CreateFolder()
    {
        if (!SqliteConnectionStrings.IsFile(_settings)
            || _settings.Mode == SqliteOpenMode.ReadWrite
            || _settings.DataSource.Contains("|DataDirectory|", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(_settings.DataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }

    /// <summary>Lets SQLite refresh the statistics its query planner uses, as it recommends before closing a connection.</summary>
    private void Optimize(SqliteConnection connection)
    {
        try
        {
            ExecuteScalar(connection, "PRAGMA analysis_limit = 1000;");
            ExecuteScalar(connection, "PRAGMA optimize;");
        }
        catch (SqliteException ex)
        {
            Log.OptimizeFailedMessage(_logger, ex, DataSource); // only statistics: the data is committed
        }
    }

    private static object? ExecuteScalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
