using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static JobScheduler.Sqlite.Tests.Sessions.SqliteStoreTestData;

namespace JobScheduler.Sqlite.Tests.Sessions;

public sealed class SqliteWriteQueueTests : IDisposable
{
    private const int SqliteBusy = 5;

    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Burst_TenThousandRunsFromEightWriters_AllLand()
    {
        const int Writers = 8, Runs = 10_000;
        await using var store = _database.CreateStore();

        await Parallel.ForEachAsync(Enumerable.Range(0, Writers), new ParallelOptions { MaxDegreeOfParallelism = Writers }, async (writer, ct) =>
        {
            for (var i = writer; i < Runs; i += Writers)
            {
                var running = Running($"job-{writer}", startedAt: i);
                await store.RecordStartAsync(running, ct);
                await store.RecordEndAsync(Ended(running), ct);
            }
        });

        Assert.Equal(Runs, _database.Count("SELECT count(*) FROM sessions"));
        Assert.Equal(Runs, _database.Count("SELECT count(*) FROM sessions WHERE status = 1"));
        Assert.Equal(Runs, (await store.QueryAsync(new JobSessionQuery { Limit = Runs * 2 }, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Burst_WritesNotAwaitedOneByOne_AllLandInOrderPerSession()
    {
        const int Writers = 8, Runs = 10_000;
        await using var store = _database.CreateStore(maxBatchSize: 250);

        var writes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            var tasks = new List<Task>();
            for (var i = writer; i < Runs; i += Writers)
            {
                var running = Running($"job-{writer}", startedAt: i);
                tasks.Add(store.RecordStartAsync(running, CancellationToken.None).AsTask());
                tasks.Add(store.RecordEndAsync(Ended(running), CancellationToken.None).AsTask());
            }

            return tasks;
        })));
        await Task.WhenAll(writes.SelectMany(t => t));

        // Each session's end was queued after its start, so none is left Running.
        Assert.Equal(Runs, _database.Count("SELECT count(*) FROM sessions WHERE status = 1"));
        Assert.Equal(0, _database.Count("SELECT count(*) FROM sessions WHERE status <> 1"));
    }

    [Fact]
    public async Task WritesQueuedWhileLocked_CommitTogetherInBatchesOfAtMostMaxBatchSize()
    {
        await using var store = _database.CreateStore("Default Timeout=30", maxBatchSize: 100);
        await store.QueryAsync(new JobSessionQuery(), CancellationToken.None); // schema ready
        var before = store.Writes.CommittedTransactions;

        Task[] writes;
        using (var blocker = _database.Open())
        using (var transaction = blocker.BeginTransaction()) // holds SQLite's write lock: the writer waits
        {
            writes = [.. Enumerable.Range(0, 1_000).Select(i => store.RecordStartAsync(Running(startedAt: i), CancellationToken.None).AsTask())];
            Assert.DoesNotContain(writes, w => w.IsCompleted);
            transaction.Commit();
        }

        await Task.WhenAll(writes);

        Assert.Equal(1_000, _database.Count("SELECT count(*) FROM sessions"));
        // The first write may have started its own transaction before the rest were queued; the rest fill batches.
        Assert.InRange(store.Writes.CommittedTransactions - before, 10, 11);
    }

    [Fact]
    public async Task CommitFails_EveryWriteInTheBatchSeesTheError_AndTheStoreRecovers()
    {
        await using var store = _database.CreateStore("Default Timeout=1");
        await store.QueryAsync(new JobSessionQuery(), CancellationToken.None);

        using (var blocker = _database.Open())
        using (var transaction = blocker.BeginTransaction())
        {
            var start = store.RecordStartAsync(Running(), CancellationToken.None).AsTask();
            var end = store.RecordEndAsync(Ended(Running()), CancellationToken.None).AsTask();
            var occurrence = store.RecordOccurrenceAsync("report", T0, CancellationToken.None).AsTask();

            foreach (var write in new[] { start, end, occurrence })
            {
                var error = await Assert.ThrowsAsync<SqliteException>(() => write);
                Assert.Equal(SqliteBusy, error.SqliteErrorCode);
            }

            transaction.Rollback();
        }

        var later = Running();
        await store.RecordStartAsync(later, CancellationToken.None);
        Assert.Equal(later.Id, Assert.Single(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Id);
    }

    [Fact]
    public async Task OneWriteRejected_OnlyItFails_AndTheRestOfItsBatchCommits()
    {
        await using var store = _database.CreateStore("Default Timeout=30");
        await store.QueryAsync(new JobSessionQuery(), CancellationToken.None);
        _database.Scalar("""
            CREATE TRIGGER reject_poison BEFORE INSERT ON sessions WHEN NEW.job_name = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;
            """);

        var before = Running("before");
        var poison = Running("poison");
        var after = Running("after");
        Task beforeWrite, poisonWrite, afterWrite;
        using (var blocker = _database.Open())
        using (var transaction = blocker.BeginTransaction())
        {
            beforeWrite = store.RecordStartAsync(before, CancellationToken.None).AsTask();
            poisonWrite = store.RecordStartAsync(poison, CancellationToken.None).AsTask();
            afterWrite = store.RecordStartAsync(after, CancellationToken.None).AsTask();
            transaction.Commit();
        }

        await beforeWrite;
        await afterWrite;
        var error = await Assert.ThrowsAsync<SqliteException>(() => poisonWrite);
        Assert.Contains("poisoned row", error.Message, StringComparison.Ordinal);
        var stored = (await store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Select(s => s.Id).ToHashSet();
        Assert.Equal(new HashSet<Guid> { before.Id, after.Id }, stored);
    }

    [Fact]
    public async Task OpenFails_WritesSeeTheErrorNamingTheFile()
    {
        var path = Path.Combine(_database.Folder, "missing", "jobs.db");
        await using var store = new JobScheduler.Sqlite.Sessions.SqliteJobSessionStore(
            new SqliteStoreOptions { ConnectionString = $"Data Source={path};Mode=ReadWrite" }, // ReadWrite never creates the file
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            JobScheduler.Sqlite.Database.SqliteSchema.Migrations);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.RecordStartAsync(Running(), CancellationToken.None));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);
    }

    [Fact]
    public async Task Dispose_CommitsEveryQueuedWrite()
    {
        var writes = new List<Task>();
        await using (var store = _database.CreateStore(maxBatchSize: 64))
        {
            for (var i = 0; i < 500; i++)
            {
                writes.Add(store.RecordEndAsync(Ended(Running(startedAt: i)), CancellationToken.None).AsTask());
            }
        }

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        await using var reopened = _database.CreateStore();
        Assert.Equal(500, (await reopened.QueryAsync(new JobSessionQuery { Limit = 1_000 }, CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WriteAndRead_AfterDispose_ThrowObjectDisposed(bool usedBefore)
    {
        var store = _database.CreateStore();
        if (usedBefore)
        {
            await store.RecordStartAsync(Running(), CancellationToken.None);
            await store.QueryAsync(new JobSessionQuery(), CancellationToken.None);
        }

        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.RecordStartAsync(Running(), CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
    }

    [Fact]
    public void Dispose_Synchronously_FromAPlainServiceProvider_CommitsQueuedWrites()
    {
        var services = new ServiceCollection();
        services.AddJobScheduler().UseSqliteStore(_database.ConnectionString);
        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IJobSessionStore>();
        var write = store.RecordStartAsync(Running(), CancellationToken.None).AsTask();

        provider.Dispose();

        Assert.True(write.IsCompletedSuccessfully);
        Assert.Equal(1, _database.Count("SELECT count(*) FROM sessions"));
    }

    [Fact]
    public async Task Write_CancelledBeforeItIsQueued_IsNotWritten()
    {
        await using var store = _database.CreateStore();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await store.RecordStartAsync(Running(), new CancellationToken(canceled: true)));

        Assert.Empty(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None));
    }
}
