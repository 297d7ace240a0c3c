using BenchmarkDotNet.Attributes;
using JobScheduler.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Benchmarks.Micro;

/// <summary>
/// One run's writes to each store: a Running start and its end (an upsert by id). The in-memory store keeps 100
/// sessions per job, and with 10,000 jobs every log is filled to that bound first, so the writes are those of a
/// process that has run for a while (and the logs are not in the CPU cache); SQLite writes to a temporary WAL database
/// (writes batched by the store). Ids come from the engine's own source, as a run's do.
/// </summary>
[MemoryDiagnoser]
public class SessionStoreBenchmarks
{
    private ServiceProvider _services = null!;
    private IJobSessionStore _store = null!;
    private string? _file;
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private string[] _jobNames = [];
    private int _next;

    [Params("InMemory", "Sqlite")]
    public string Store { get; set; } = "InMemory";

    [Params(1, 10_000)]
    public int Jobs { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddJobScheduler();
        if (Store == "Sqlite")
        {
            _file = Path.Combine(Path.GetTempPath(), $"jobscheduler-bench-{Guid.NewGuid():N}.db");
            builder.UseSqliteStore($"Data Source={_file}");
        }

        _services = services.BuildServiceProvider();
        _store = _services.GetRequiredService<IJobSessionStore>();
        _jobNames = [.. Enumerable.Range(0, Jobs).Select(i => $"bench-{i}")];
        if (Store == "InMemory")
        {
            for (var i = 0; i < 100 * _jobNames.Length; i++)
            {
                StartAndEnd().GetAwaiter().GetResult();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        (_store as IDisposable)?.Dispose();
        _services.Dispose();
        if (_file is not null)
        {
            foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    [Benchmark(Description = "RecordStart + RecordEnd")]
    public async Task StartAndEnd()
    {
        _now = _now.AddSeconds(1);
        var session = new JobSession
        {
            Id = SessionIds.NewId(), // Guid.NewGuid is a system call per id on Linux (~1.4 µs here): not the store's cost
            JobName = _jobNames[_next++ % _jobNames.Length],
            Trigger = JobTrigger.Scheduled,
            ScheduledAt = _now,
            StartedAt = _now,
            Status = JobSessionStatus.Running,
            Attempt = 1,
            InstanceId = "bench",
        };
        await _store.RecordStartAsync(session, CancellationToken.None).ConfigureAwait(false);
        await _store.RecordEndAsync(session with { EndedAt = _now, Duration = TimeSpan.Zero, Status = JobSessionStatus.Succeeded }, CancellationToken.None).ConfigureAwait(false);
    }
}
