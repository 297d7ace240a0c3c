using System.Diagnostics.Tracing;

namespace JobScheduler.Benchmarks.Peers;

/// <summary>
/// The runtime's own events, printed to stderr when a switch asks for them. <c>BENCH_GC_EVENTS=1</c>: prints the runtime's collections (start, end, heap sizes and bytes promoted, with the
/// event's own timestamp, so a pause is end minus start) and its allocation samples (one per ~100 KB, with the type) to
/// stderr. How the twelfth round of docs/performance.md found which collections fall in the W2 window and what a run allocates.
/// <para><c>BENCH_JIT_EVENTS=1</c>: prints every method the JIT compiles (tier-ups included) with its time, the same way: how the
/// fourteenth round found what is still compiled inside the W2 window. Each compiled method is a <c>JITSTART</c> line and a
/// <c>JIT</c> line, both with the event's time (<c>t=</c>, 100 ns ticks) and thread (<c>tid=</c>): the second's time minus the
/// first's on the same thread is how long that method took to compile (the sixteenth round's view of W4).</para>
/// </summary>
internal sealed class RuntimeEvents : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private static RuntimeEvents? _instance;
    private static EventKeywords _keywords;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public static void StartIfAsked()
    {
        _keywords = (Environment.GetEnvironmentVariable("BENCH_GC_EVENTS") == "1" ? GcKeyword : 0)
            | (Environment.GetEnvironmentVariable("BENCH_JIT_EVENTS") == "1" ? JitKeyword : 0);
        if (_keywords != 0)
        {
            _instance = new RuntimeEvents();
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, _keywords); // Verbose: the allocation samples, the JIT's method loads
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        var names = e.PayloadNames;
        if (names is null || e.Payload is null)
        {
            return;
        }

        string Fields(params string[] wanted) => string.Join(' ', names.Zip(e.Payload).Where(p => wanted.Contains(p.First)).Select(p => $"{p.First}={p.Second}"));
        var line = e.EventName switch
        {
            "GCAllocationTick_V4" => $"ALLOC {Fields("TypeName")}",
            "MethodLoadVerbose_V2" => $"JIT {Fields("MethodNamespace", "MethodName")} t={e.TimeStamp.Ticks} tid={e.OSThreadId}",
            "MethodJittingStarted_V1" => $"JITSTART t={e.TimeStamp.Ticks} tid={e.OSThreadId} {Fields("MethodNamespace", "MethodName")}",
            "GCStart_V2" => $"GCStart {Fields("Count", "Depth", "Reason", "Type")}",
            "GCEnd_V1" => $"GCEnd {Fields("Count", "Depth")}",
            "GCHeapStats_V2" => $"GCHeap {Fields("GenerationSize0", "TotalPromotedSize0", "GenerationSize1", "TotalPromotedSize1", "GenerationSize2", "TotalPromotedSize2", "GenerationSize3", "GenerationSize4")}",
            _ => null,
        };
        if (line is not null)
        {
            // Events arrive in batches: the listener's clock says when, the event's timestamp says when it happened.
            Console.Error.WriteLine($"{_clock.Elapsed.TotalMilliseconds,10:0.0} {e.TimeStamp:HH:mm:ss.ffff} {line}");
        }
    }
}
