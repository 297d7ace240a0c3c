using JobScheduler.Sqlite.Hosting;

namespace JobScheduler.Sqlite.Tests.Hosting;

public sealed class SqliteStoreDefaultsTests
{
    [Fact]
    public void EnsureDefaults()
    {
        var options = new SqliteStoreOptions();

        Assert.Equal(string.Empty, options.ConnectionString);
        Assert.Equal(1_000, options.MaxBatchSize);
        Assert.Equal(SqliteStoreDefaults.MaxBatchSize, options.MaxBatchSize);
    }
}
