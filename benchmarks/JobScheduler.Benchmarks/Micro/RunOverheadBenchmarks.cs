using BenchmarkDotNet.Attributes;
using JobScheduler.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JobScheduler.Benchmarks.Micro;

/// <summary>
/// Scheduler overhead per run: an empty on-demand job on the in-memory store, fired through the engine's dispatcher
/// (<see cref="JobSchedulerEngine.TriggerAsync"/>) and awaited to its recorded end. Everything the pipeline does is in
/// the number: overlap lock, concurrency gate, DI scope, the job instance, two session writes, logs (no provider) and
/// metrics (no listener), and the thread-pool hop.
/// </summary>
[MemoryDiagnoser]
public class RunOverheadBenchmarks
{
    private IHost _host = null!;
    private JobSchedulerEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddJobScheduler().AddJob<EmptyJob>(job => job.WithName("empty"));
        _host = builder.Build();
        _host.Start();
        _engine = _host.Services.GetRequiredService<JobSchedulerEngine>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    [Benchmark(Description = "Trigger + run + record an empty job (in-memory store)")]
    public async Task<JobSessionStatus> RunEmptyJob()
    {
        var handle = await _engine.TriggerAsync("empty").ConfigureAwait(false);
        var session = await handle.Completion.ConfigureAwait(false);
        return session.Status;
    }

    public sealed class EmptyJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
