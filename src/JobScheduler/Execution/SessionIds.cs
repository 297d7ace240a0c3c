using System.Security.Cryptography;

namespace JobScheduler.Execution;

/// <summary>
/// New session ids: random version-4 GUIDs, as <see cref="Guid.NewGuid"/> makes them and from the same cryptographically
/// secure source, but drawn 64 at a time. On Linux <see cref="Guid.NewGuid"/> reads the kernel's random source once per
/// id (a system call), which at 10,000 occurrences a second was a measurable share of the timer thread's time.
/// </summary>
internal static class SessionIds
{
    private const int GuidSize = 16;
    private const int BatchSize = 64;

    // Per thread, so drawing an id takes no lock; a batch is 1 KB.
    [ThreadStatic]
    private static byte[]? t_batch;

    [ThreadStatic]
    private static int t_next;

    public static Guid NewId()
    {
        var batch = t_batch;
        var next = t_next;
        if (batch is null || next == BatchSize)
        {
            batch = t_batch ??= new byte[BatchSize * GuidSize];
            RandomNumberGenerator.Fill(batch);
            next = 0;
        }

        t_next = next + 1;
        var bytes = batch.AsSpan(next * GuidSize, GuidSize);

        // RFC 9562 version 4: the version nibble is the high half of byte 7 in Guid's byte layout, the variant (10xx)
        // the top bits of byte 8. The Guid(ReadOnlySpan<byte>) constructor fixes that layout on any platform.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
