namespace JobScheduler.Benchmarks.Peers;

/// <summary>The JIT's counters: methods compiled (tier-ups included) and the time spent compiling them, all threads.</summary>
internal readonly record struct JitCounts(long Methods, TimeSpan Time)
{
    public static JitCounts Read() => new(System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());

    public static JitCounts operator -(JitCounts later, JitCounts earlier) => new(later.Methods - earlier.Methods, later.Time - earlier.Time);
}
