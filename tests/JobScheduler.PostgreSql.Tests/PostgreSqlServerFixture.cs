using System.Globalization;
using JobScheduler.PostgreSql.Sessions;
using JobScheduler.PostgreSqlServer;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>
/// One real PostgreSQL server for the whole test run (<see cref="ThrowawayPostgreSqlServer"/>: <c>initdb</c> into a
/// temporary folder, <c>pg_ctl start</c> on a free loopback port, durability off for speed, as the <c>postgres</c> user
/// when run as root). Without the server binaries every test of the collection fails with a message that names
/// <c>eng/test.sh</c>; none is skipped.
/// </summary>
public sealed class PostgreSqlServerFixture : IAsyncLifetime
{
    private ThrowawayPostgreSqlServer? _server;
    private int _counter;

    private ThrowawayPostgreSqlServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    /// <summary>Gets the loopback port the server listens on; it stays the same across <see cref="StopServerAsync"/>/<see cref="StartServerAsync"/>.</summary>
    public int Port => Server.Port;

    /// <summary>Gets a connection string to the <c>postgres</c> database as the superuser (trust authentication).</summary>
    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await ThrowawayPostgreSqlServer.StartNewAsync();

    /// <summary>Returns a new schema name, unique in this run, for a fresh store.</summary>
    public string NewSchemaName() => string.Create(CultureInfo.InvariantCulture, $"t{Interlocked.Increment(ref _counter)}_{Guid.NewGuid():N}")[..24];

    /// <summary>Creates a fresh, empty database and returns a connection string to it.</summary>
    /// <param name="durableCommits">
    /// Turns <c>synchronous_commit</c> back on for this database. The server runs with it off for speed, so a crash
    /// (<see cref="StopServerAsync"/>) loses commits acknowledged in the last few hundred milliseconds; a test that
    /// crashes the server and then counts rows needs every acknowledged commit to survive.
    /// </param>
    public Task<string> CreateDatabaseAsync(bool durableCommits = false) => Server.CreateDatabaseAsync("db_" + NewSchemaName(), durableCommits);

    /// <summary>Runs SQL text (no parameters) on the <c>postgres</c> database, or on <paramref name="connectionString"/>.</summary>
    public async Task ExecuteAsync(string sql, string? connectionString = null)
    {
        await using var connection = await OpenUnpooledAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a scalar query on <paramref name="connectionString"/> (or the <c>postgres</c> database).</summary>
    public async Task<T> ScalarAsync<T>(string sql, string? connectionString = null)
    {
        await using var connection = await OpenUnpooledAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Opens a connection outside any pool, so a server restart by an earlier test leaves nothing stale behind.</summary>
    public async Task<NpgsqlConnection> OpenUnpooledAsync(string? connectionString = null)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString ?? ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Creates a store on a fresh schema (or <paramref name="schema"/>) of <paramref name="connectionString"/>.</summary>
    internal PostgreSqlJobSessionStore CreateStore(string? schema = null, string? connectionString = null)
        => new(Options.Create(new PostgreSqlStoreOptions { ConnectionString = connectionString ?? ConnectionString, Schema = schema ?? NewSchemaName() }));

    /// <summary>Kills the server the way a crash or a network cut would (<c>pg_ctl stop -m immediate</c>).</summary>
    public Task StopServerAsync() => Server.StopAsync();

    /// <summary>Starts the server on the same port and data folder and waits until it accepts connections.</summary>
    public Task StartServerAsync() => Server.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Every PostgreSQL test shares the one server and runs in this collection, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlServerGroup : ICollectionFixture<PostgreSqlServerFixture>
{
    public const string Name = "PostgreSQL";
}
