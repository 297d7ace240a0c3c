using JobScheduler.Tests.Contracts;

namespace JobScheduler.Sqlite.Tests.Sessions;

/// <summary>The shared store contract, run against a fresh SQLite file per test.</summary>
public sealed class SqliteJobSessionStoreContractTests : JobSessionStoreContractTests
{
    private readonly TempDatabase _database = new();

    protected override Task<IJobSessionStore> CreateStoreAsync() => Task.FromResult<IJobSessionStore>(_database.CreateStore());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
