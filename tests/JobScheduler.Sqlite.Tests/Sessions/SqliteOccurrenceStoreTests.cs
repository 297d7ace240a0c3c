using static JobScheduler.Sqlite.Tests.Sessions.SqliteStoreTestData;

namespace JobScheduler.Sqlite.Tests.Sessions;

public sealed class SqliteOccurrenceStoreTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task GetLastOccurrence_NothingRecorded_ReturnsNull()
    {
        await using var store = _database.CreateStore();

        Assert.Null(await store.GetLastOccurrenceAsync("report", CancellationToken.None));
    }

    [Fact]
    public async Task RecordOccurrence_ThenGet_RoundTripsToTheMicrosecondAcrossReopen()
    {
        var occurrence = T0.AddTicks(1_234_560); // 123,456 µs after T0
        await using (var store = _database.CreateStore())
        {
            await store.RecordOccurrenceAsync("report", occurrence.ToOffset(TimeSpan.FromHours(2)), CancellationToken.None);
            Assert.Equal(occurrence, await store.GetLastOccurrenceAsync("report", CancellationToken.None));
        }

        await using var reopened = _database.CreateStore();
        Assert.Equal(occurrence, await reopened.GetLastOccurrenceAsync("report", CancellationToken.None));
    }

    [Fact]
    public async Task RecordOccurrence_OlderThanStored_KeepsTheNewest()
    {
        await using var store = _database.CreateStore();

        await store.RecordOccurrenceAsync("report", T0.AddMinutes(10), CancellationToken.None);
        await store.RecordOccurrenceAsync("report", T0.AddMinutes(5), CancellationToken.None);
        Assert.Equal(T0.AddMinutes(10), await store.GetLastOccurrenceAsync("report", CancellationToken.None));

        await store.RecordOccurrenceAsync("report", T0.AddMinutes(11), CancellationToken.None);
        Assert.Equal(T0.AddMinutes(11), await store.GetLastOccurrenceAsync("report", CancellationToken.None));
    }

    [Fact]
    public async Task RecordOccurrence_ManyJobsInAnyOrder_KeepsEachJobsMaximum()
    {
        await using var store = _database.CreateStore();
        var minutes = Enumerable.Range(0, 50).OrderBy(i => (i * 37) % 50).ToArray(); // a fixed shuffle

        await Task.WhenAll(minutes.SelectMany(m => new[]
        {
            store.RecordOccurrenceAsync("a", T0.AddMinutes(m), CancellationToken.None).AsTask(),
            store.RecordOccurrenceAsync("b", T0.AddMinutes(m * 2), CancellationToken.None).AsTask(),
        }));

        Assert.Equal(T0.AddMinutes(49), await store.GetLastOccurrenceAsync("a", CancellationToken.None));
        Assert.Equal(T0.AddMinutes(98), await store.GetLastOccurrenceAsync("b", CancellationToken.None));
        Assert.Null(await store.GetLastOccurrenceAsync("c", CancellationToken.None));
    }
}
