using JobScheduler.Tests.Contracts;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>The store contract, against a real server, on a fresh schema per test.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlJobSessionStoreContractTests(PostgreSqlServerFixture server) : JobSessionStoreContractTests
{
    protected override Task<IJobSessionStore> CreateStoreAsync() => Task.FromResult<IJobSessionStore>(server.CreateStore());
}
