using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using JobScheduler.PostgreSql.Sessions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>
/// One real PostgreSQL server for the whole test run: <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free
/// loopback port, durability off for speed. As root (this machine, CI) the server runs as the unprivileged
/// <c>postgres</c> user, because PostgreSQL refuses to run as root. Without the server binaries every test of the
/// collection fails with a message that names <c>eng/test.sh</c>; none is skipped.
/// </summary>
public sealed class PostgreSqlServerFixture : IAsyncLifetime
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"jobscheduler-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
    private string _binDirectory = "";
    private bool _runAsServiceUser;
    private bool _running;
    private int _counter;

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "sockets");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>Gets the loopback port the server listens on; it stays the same across <see cref="StopServerAsync"/>/<see cref="StartServerAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Gets a connection string to the <c>postgres</c> database as the superuser (trust authentication).</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public async Task InitializeAsync()
    {
        _binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(
            "The PostgreSQL tests need a real server, but initdb and pg_ctl were found neither on PATH nor in /usr/lib/postgresql/*/bin. " +
            "Run eng/test.sh, which installs them (eng/install-test-deps.sh: apt-get install postgresql), or install the Debian package 'postgresql' yourself.");

        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(SocketDirectory);
        _runAsServiceUser = (await RunAsync("id", ["-u"], asServiceUser: false)).Trim() == "0";
        if (_runAsServiceUser)
        {
            await EnsureServiceUserAsync();
            await RunAsync("chown", ["-R", $"{ServiceUser}:", _root], asServiceUser: false);
        }

        await RunAsync(Path.Combine(_binDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], _runAsServiceUser);

        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await StartServerAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && ReadLog().Contains("could not bind", StringComparison.Ordinal))
            {
                // Another process took the port between probing and binding: try another one.
            }
        }
    }

    /// <summary>Returns a new schema name, unique in this run, for a fresh store.</summary>
    public string NewSchemaName() => string.Create(CultureInfo.InvariantCulture, $"t{Interlocked.Increment(ref _counter)}_{Guid.NewGuid():N}")[..24];

    /// <summary>Creates a fresh, empty database and returns a connection string to it.</summary>
    /// <param name="durableCommits">
    /// Turns <c>synchronous_commit</c> back on for this database. The server runs with it off for speed, so a crash
    /// (<see cref="StopServerAsync"/>) loses commits acknowledged in the last few hundred milliseconds; a test that
    /// crashes the server and then counts rows needs every acknowledged commit to survive.
    /// </param>
    public async Task<string> CreateDatabaseAsync(bool durableCommits = false)
    {
        var name = "db_" + NewSchemaName();
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        if (durableCommits)
        {
            await ExecuteAsync($"ALTER DATABASE \"{name}\" SET synchronous_commit = on");
        }

        return ConnectionStringFor(name);
    }

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
    public async Task StopServerAsync()
    {
        await PgCtlAsync(["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60"]);
        _running = false;
    }

    /// <summary>Starts the server on the same port and data folder and waits until it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -p {Port} -k {SocketDirectory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        await PgCtlAsync(["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options]);
        _running = true;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false;Timeout=5");
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_running)
        {
            try
            {
                await StopServerAsync();
            }
            catch (InvalidOperationException)
            {
                // Best effort: the folder is removed below either way.
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string ConnectionStringFor(string database)
        => new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            IncludeErrorDetail = true,
            Timeout = 5,
        }.ConnectionString;

    private Task<string> PgCtlAsync(string[] arguments) => RunAsync(Path.Combine(_binDirectory, "pg_ctl"), arguments, _runAsServiceUser);

    private string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogFile);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string? FindBinDirectory()
    {
        static bool HasBoth(string directory) => File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (HasBoth(directory))
            {
                return directory;
            }
        }

        const string Debian = "/usr/lib/postgresql";
        if (!Directory.Exists(Debian))
        {
            return null;
        }

        return Directory.GetDirectories(Debian)
            .Select(d => (Bin: Path.Combine(d, "bin"), Version: decimal.TryParse(Path.GetFileName(d), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => d.Version >= 0 && HasBoth(d.Bin))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Bin)
            .FirstOrDefault();
    }

    private static async Task EnsureServiceUserAsync()
    {
        try
        {
            await RunAsync("id", ["-u", ServiceUser], asServiceUser: false);
        }
        catch (InvalidOperationException)
        {
            await RunAsync("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", ServiceUser], asServiceUser: false);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string fileName, string[] arguments, bool asServiceUser)
    {
        var start = new ProcessStartInfo(asServiceUser ? "runuser" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServiceUser)
        {
            foreach (var prefix in new[] { "-u", ServiceUser, "--", fileName })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var commandLine = string.Join(' ', start.ArgumentList.Prepend(start.FileName));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start: {commandLine}");

        // pg_ctl start leaves the server running with our pipes inherited: read until exit, not until end of stream.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"Timed out after {CommandTimeout}: {commandLine}");
        }

        var output = await Task.WhenAny(stdout, Task.Delay(TimeSpan.FromSeconds(2))) == stdout ? await stdout : "";
        var errors = await Task.WhenAny(stderr, Task.Delay(TimeSpan.FromSeconds(2))) == stderr ? await stderr : "";
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{commandLine}' exited with {process.ExitCode}:\n{output}\n{errors}");
        }

        return output;
    }
}

/// <summary>Every PostgreSQL test shares the one server and runs in this collection, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlServerGroup : ICollectionFixture<PostgreSqlServerFixture>
{
    public const string Name = "PostgreSQL";
}
