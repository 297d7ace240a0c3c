using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>
/// One worker slot (<c>worker-N</c>): the current child process with that instance id, started again after every kill.
/// Standard output and error go to <c>worker-N.log</c> in the log folder, each line prefixed with the process id.
/// Not thread-safe except for the output callbacks: the orchestrator drives it from one loop.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int TailLines = 30;

    private readonly WorkerSettings _settings;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private readonly Lock _gate = new();
    private Process? _process;
    private TaskCompletionSource _ready = NewReady();
    private bool _expectExit;
    private bool _exitHandled = true;

    public WorkerProcess(WorkerSettings settings, string logFolder)
    {
        _settings = settings;
        _log = new StreamWriter(Path.Combine(logFolder, settings.InstanceId + ".log"), append: true) { AutoFlush = true };
    }

    public string InstanceId => _settings.InstanceId;

    /// <summary>Gets whether the process runs and has reported its host started.</summary>
    public bool IsUp => _process is { HasExited: false } && _ready.Task.IsCompletedSuccessfully && !_expectExit;

    /// <summary>Gets whether the process ended without being killed or stopped by the orchestrator, and that is not handled yet.</summary>
    public bool HasExitedUnexpectedly => _process is { HasExited: true } && !_expectExit && !_exitHandled;

    public List<WorkerIncarnation> Incarnations { get; } = [];

    public Task Ready => _ready.Task;

    public void Start()
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        start.ArgumentList.Add("worker");
        foreach (var argument in _settings.ToArguments())
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var ready = NewReady();
        process.OutputDataReceived += (_, e) => OnLine(process, ready, e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(process, ready, e.Data);
        var startedAt = DateTimeOffset.UtcNow;
        if (!process.Start())
        {
            throw new KillTestException($"Could not start {start.FileName} for {InstanceId}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_gate)
        {
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"==== {startedAt:HH:mm:ss.fff} started pid {process.Id}"));
            _tail.Clear();
        }

        _process?.Dispose();
        _process = process;
        _ready = ready;
        _expectExit = false;
        _exitHandled = false;
        Incarnations.Add(new WorkerIncarnation(InstanceId, process.Id, startedAt));
    }

    /// <summary>Kills the process with SIGKILL (nothing in it runs any more) and returns its id.</summary>
    public int Kill()
    {
        var process = _process ?? throw new InvalidOperationException($"{InstanceId} is not running.");
        _expectExit = true;
        process.Kill(); // SIGKILL on Linux
        process.WaitForExit(TimeSpan.FromSeconds(10));
        Ended("killed");
        return process.Id;
    }

    /// <summary>Records that the unexpected exit has been seen, and returns the end of the process's output.</summary>
    public string AcknowledgeUnexpectedExit()
    {
        _exitHandled = true;
        Ended(string.Create(CultureInfo.InvariantCulture, $"exited with code {_process!.ExitCode}"));
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    /// <summary>Stops the process the way a deployment would: its host shuts down cleanly. Kills it after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is not { } process || _expectExit || process.HasExited)
        {
            if (_process is { HasExited: true } && !_exitHandled && !_expectExit)
            {
                AcknowledgeUnexpectedExit();
            }

            return;
        }

        _expectExit = true;
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            Ended(string.Create(CultureInfo.InvariantCulture, $"stopped, exit code {process.ExitCode}"));
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            Ended($"did not stop within {timeout.TotalSeconds:0} s, killed");
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
        }

        _process?.Dispose();
        lock (_gate)
        {
            _log.Dispose();
        }
    }

    private void Ended(string how)
    {
        var last = Incarnations[^1];
        Incarnations[^1] = last with { EndedAt = DateTimeOffset.UtcNow, End = how };
        lock (_gate)
        {
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"==== {DateTimeOffset.UtcNow:HH:mm:ss.fff} pid {last.Pid} {how}"));
        }
    }

    private void OnLine(Process process, TaskCompletionSource ready, string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith(WorkerHost.ReadyLine + " ", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }

        lock (_gate)
        {
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{process.Id}] {line}"));
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    private static TaskCompletionSource NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The <c>dotnet</c> host of the runtime running this process, so the workers run on the same runtime.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        // shared/Microsoft.NETCore.App/<version>/ → the dotnet root holds the host.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        if (File.Exists(host))
        {
            return host;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath) ? hostPath : "dotnet";
    }
}

/// <summary>One process of a worker slot.</summary>
internal sealed record WorkerIncarnation(string InstanceId, int Pid, DateTimeOffset StartedAt)
{
    public DateTimeOffset? EndedAt { get; init; }

    public string? End { get; init; }
}
