using System.Globalization;
using static JobScheduler.Sqlite.Tests.Sessions.SqliteStoreTestData;

namespace JobScheduler.Sqlite.Tests.Sessions;

/// <summary>Pins the on-disk format: files written by one version are read by the next.</summary>
public sealed class SessionRowsTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData(JobSessionStatus.Running, 0)]
    [InlineData(JobSessionStatus.Succeeded, 1)]
    [InlineData(JobSessionStatus.Failed, 2)]
    [InlineData(JobSessionStatus.TimedOut, 3)]
    [InlineData(JobSessionStatus.Cancelled, 4)]
    [InlineData(JobSessionStatus.Skipped, 5)]
    [InlineData(JobSessionStatus.Abandoned, 6)]
    public void StoredStatusValues_NeverChange(JobSessionStatus status, int stored) => Assert.Equal(stored, (int)status);

    [Theory]
    [InlineData(JobTrigger.Scheduled, 0)]
    [InlineData(JobTrigger.Manual, 1)]
    [InlineData(JobTrigger.CatchUp, 2)]
    public void StoredTriggerValues_NeverChange(JobTrigger trigger, int stored) => Assert.Equal(stored, (int)trigger);

    [Fact]
    public async Task RecordEnd_WritesTheDocumentedColumns()
    {
        var session = Ended(Running("report", startedAt: 1.5), JobSessionStatus.Failed) with
        {
            Id = Guid.Parse("0F8FAD5B-D9CB-469F-A165-70867728950E"),
            Trigger = JobTrigger.CatchUp,
            Attempt = 2,
            Error = "boom",
            Metadata = new Dictionary<string, string> { ["note"] = "ünïcødé" },
        };
        await using (var store = _database.CreateStore())
        {
            await store.RecordEndAsync(session, CancellationToken.None);
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, job_name, trigger_kind, scheduled_at, started_at, ended_at, duration, status, attempt, error, instance_id, metadata,
                   typeof(started_at), strftime('%Y-%m-%dT%H:%M:%f', (started_at - 621355968000000000) / 1e7, 'unixepoch')
            FROM sessions
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", reader.GetString(0));
        Assert.Equal("report", reader.GetString(1));
        Assert.Equal(2, reader.GetInt32(2));
        Assert.Equal(session.ScheduledAt.UtcTicks, reader.GetInt64(3));
        Assert.Equal(session.StartedAt.UtcTicks, reader.GetInt64(4));
        Assert.Equal(session.EndedAt!.Value.UtcTicks, reader.GetInt64(5));
        Assert.Equal(TimeSpan.FromSeconds(1).Ticks, reader.GetInt64(6));
        Assert.Equal(2, reader.GetInt32(7));
        Assert.Equal(2, reader.GetInt32(8));
        Assert.Equal("boom", reader.GetString(9));
        Assert.Equal("host-a", reader.GetString(10));
        Assert.Equal("""{"note":"ünïcødé"}""", reader.GetString(11));
        Assert.Equal("integer", reader.GetString(12));
        Assert.Equal(T0.AddSeconds(1.5).ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture), reader.GetString(13));
    }

    [Fact]
    public async Task RecordStart_EmptyMetadataAndNoError_StoreNull()
    {
        await using (var store = _database.CreateStore())
        {
            await store.RecordStartAsync(Running(), CancellationToken.None);
        }

        Assert.Equal(1, _database.Count("SELECT count(*) FROM sessions WHERE metadata IS NULL AND error IS NULL AND ended_at IS NULL AND duration IS NULL"));
    }

    [Fact]
    public async Task Read_TimesInAnyOffset_ComeBackAsTheSameInstantInUtc()
    {
        var berlin = new DateTimeOffset(2026, 3, 29, 3, 30, 0, 123, TimeSpan.FromHours(2)).AddTicks(4_560);
        var session = Running() with { ScheduledAt = berlin, StartedAt = berlin };
        await using var store = _database.CreateStore();
        await store.RecordStartAsync(session, CancellationToken.None);

        var stored = Assert.Single(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));

        Assert.Equal(berlin, stored.StartedAt);
        Assert.Equal(TimeSpan.Zero, stored.StartedAt.Offset);
        Assert.Equal(berlin.UtcTicks, stored.StartedAt.UtcTicks);
    }
}
