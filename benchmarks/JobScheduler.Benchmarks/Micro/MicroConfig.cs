using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace JobScheduler.Benchmarks.Micro;

/// <summary>
/// A short configuration so the whole suite runs in a few minutes: in-process (no generated project to build),
/// 3 warm-up and 8 measured iterations, memory diagnoser on.
/// </summary>
public sealed class MicroConfig : ManualConfig
{
    public MicroConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(MarkdownExporter.GitHub);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        AddColumnProvider(DefaultColumnProviders.Instance);
        ArtifactsPath = Path.Combine(Path.GetTempPath(), "JobScheduler.Benchmarks.Artifacts");
        Options |= ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile;
    }
}
