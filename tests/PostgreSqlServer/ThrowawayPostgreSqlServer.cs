using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace JobScheduler.PostgreSqlServer;

/// <summary>
/// A real, throwaway PostgreSQL server: <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free loopback
/// port, durability off for speed, removed on dispose. As root (this machine, CI) the server runs as the unprivileged
/// <c>postgres</c> user, because PostgreSQL refuses to run as root.
/// </summary>
/// <remarks>
/// Compiled into every project that needs a server (linked with <c>&lt;Compile Include="..\PostgreSqlServer\*.cs" /&gt;</c>):
/// the fixture of JobScheduler.PostgreSql.Tests and the cluster kill test.
/// </remarks>
internal sealed class ThrowawayPostgreSqlServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _root;
    private readonly string _binDirectory;
    private readonly bool _runAsServiceUser;
    private bool _running;

    private ThrowawayPostgreSqlServer(string root, string binDirectory, bool runAsServiceUser)
    {
        _root = root;
        _binDirectory = binDirectory;
        _runAsServiceUser = runAsServiceUser;
    }

    /// <summary>Gets the loopback port the server listens on; it stays the same across <see cref="StopAsync"/>/<see cref="StartAsync()"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Gets a connection string to the <c>postgres</c> database as the superuser (trust authentication).</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "sockets");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>Creates a new cluster in a temporary folder and starts it on a free port.</summary>
    /// <param name="folderPrefix">The start of the temporary folder's name.</param>
    /// <exception cref="InvalidOperationException">The server binaries are missing, or initdb or pg_ctl failed.</exception>
    public static async Task<ThrowawayPostgreSqlServer> StartNewAsync(string folderPrefix = "jobscheduler-pg")
    {
        var binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(
            "The PostgreSQL tests need a real server, but initdb and pg_ctl were found neither on PATH nor in /usr/lib/postgresql/*/bin. " +
            "Run eng/test.sh, which installs them (eng/install-test-deps.sh: apt-get install postgresql), or install the Debian package 'postgresql' yourself.");

        var root = Path.Combine(Path.GetTempPath(), $"{folderPrefix}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..(folderPrefix.Length + 24)]);
        var runAsServiceUser = (await RunAsync("id", ["-u"], asServiceUser: false)).Trim() == "0";
        var server = new ThrowawayPostgreSqlServer(root, binDirectory, runAsServiceUser);
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Returns a connection string to <paramref name="database"/> as the superuser.</summary>
    public string ConnectionStringFor(string database)
        => new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            IncludeErrorDetail = true,
            Timeout = 5,
        }.ConnectionString;

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    /// <param name="name">The database name, a plain identifier.</param>
    /// <param name="durableCommits">
    /// Turns <c>synchronous_commit</c> back on for this database. The server runs with it off for speed, so a crash
    /// (<see cref="StopAsync"/>) loses commits acknowledged in the last few hundred milliseconds.
    /// </param>
    public async Task<string> CreateDatabaseAsync(string name, bool durableCommits = false)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        if (durableCommits)
        {
            await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{name}\" SET synchronous_commit = on", connection);
            await alter.ExecuteNonQueryAsync();
        }

        return ConnectionStringFor(name);
    }

    /// <summary>Kills the server the way a crash or a network cut would (<c>pg_ctl stop -m immediate</c>).</summary>
    public async Task StopAsync()
    {
        await PgCtlAsync(["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60"]);
        _running = false;
    }

    /// <summary>Starts the server on the same port and data folder and waits until it accepts connections.</summary>
    public async Task StartAsync()
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

    /// <summary>Stops the server (immediately) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_running)
        {
            try
            {
                await StopAsync();
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

    private async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(SocketDirectory);
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
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && ReadLog().Contains("could not bind", StringComparison.Ordinal))
            {
                // Another process took the port between probing and binding: try another one.
            }
        }
    }

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
