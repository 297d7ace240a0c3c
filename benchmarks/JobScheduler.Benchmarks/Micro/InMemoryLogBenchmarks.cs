using BenchmarkDotNet.Attributes;
using JobScheduler.Execution;
using JobScheduler.Sessions;
using Microsoft.Extensions.Options;

namespace JobScheduler.Benchmarks.Micro;

/// <summary>
/// The in-memory store's writes as the engine makes them (<c>Execution/SessionRecorder.cs</c>): an attempt's ended
/// session written once, its start having been deferred and never read; and, for comparison, the same attempt with its
/// start written by a read while it ran (the start's values into the shared slots and its position into the job's log),
/// then the ended session in place of it. Jobs are written
/// round-robin, as jobs on one schedule run, and every log is filled to its bound first, so with 10,000 jobs each job's
/// log (and the oldest session it drops) is memory last touched 10,000 writes earlier, as in W2; the bound of 1 keeps
/// the same work in about 2 MB. Back to back, though, the processor still holds the address translations that W2 loses
/// in the second between a job's runs, so this measures the writes' work and cache misses, not W2's whole cost of them
/// (docs/performance.md, ninth and tenth rounds).
/// </summary>
[MemoryDiagnoser]
public class InMemoryLogBenchmarks
{
    private InMemoryJobSessionStore _store = null!;
    private SessionLog[] _logs = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private int _next;

    [Params(1, 10_000)]
    public int Jobs { get; set; } = 1;

    [Params(1, 100)]
    public int Bound { get; set; } = 100;

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryJobSessionStore(Options.Create(new InMemorySessionStoreOptions { MaxSessionsPerJob = Bound }));
        _logs = [.. Enumerable.Range(0, Jobs).Select(i => _store.LogOf($"bench-{i}"))];
        for (var i = 0; i < (Bound + 1) * Jobs; i++)
        {
            StartReadThenEnd();
        }
    }

    [Benchmark(Description = "Engine's end of an attempt whose start nobody read", Baseline = true)]
    public void EndOnly()
    {
        var (log, attempt) = Next();
        _store.RecordEnd(log, Ended(log, attempt), attempt);
    }

    [Benchmark(Description = "Engine's start written by a read, then its end")]
    public void StartReadThenEnd()
    {
        var (log, attempt) = Next();
        _store.WriteDeferredStart(log, attempt);
        _store.RecordEnd(log, Ended(log, attempt), attempt);
    }

    private (SessionLog Log, Attempt Attempt) Next()
    {
        var log = _logs[_next];
        _next = _next + 1 == _logs.Length ? 0 : _next + 1;
        _now = _now.AddTicks(TimeSpan.TicksPerSecond / _logs.Length);
        _attempt.Begin(new AttemptStart(SessionIds.NewId(), JobTrigger.Scheduled, _now, _now, 1, "bench"));
        return (log, _attempt);
    }

    private JobSession Ended(SessionLog log, Attempt attempt)
        => attempt.CurrentStart.ToSession(log.JobName) with { EndedAt = _now, Duration = TimeSpan.Zero, Status = JobSessionStatus.Succeeded };

    private readonly Attempt _attempt = new();

    /// <summary>One attempt object reused, as a run is reused by its attempts, so the benchmark allocates what the store does.</summary>
    private sealed class Attempt : IDeferredStart
    {
        public DeferredStartState StartState { get; set; }

        public AttemptStart CurrentStart { get; private set; }

        public void Begin(AttemptStart start)
        {
            CurrentStart = start;
            StartState = DeferredStartState.Deferred;
        }
    }
}
