using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JobScheduler.PostgreSql.Tests.Cluster;

/// <summary>Bad cluster set-ups fail at start with the values named.</summary>
public sealed class ClusterOptionsTests
{
    [Fact]
    public async Task TimeoutShorterThanTwoHeartbeats_FailsStart_NamingBothValues()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => JobSchedulerTestHost.StartAsync(services => services.AddJobScheduler()
            .UsePostgreSqlStore("Host=127.0.0.1;Port=1;Database=none")
            .UseClustering(o =>
            {
                o.HeartbeatInterval = TimeSpan.FromSeconds(10);
                o.InstanceTimeout = TimeSpan.FromSeconds(15);
            })));

        Assert.Contains("InstanceTimeout (00:00:15) must be at least twice HeartbeatInterval (00:00:10)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutOfRangeHeartbeat_FailsStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => JobSchedulerTestHost.StartAsync(services => services.AddJobScheduler()
            .UsePostgreSqlStore("Host=127.0.0.1;Port=1;Database=none")
            .UseClustering(o => o.HeartbeatInterval = TimeSpan.Zero)));

        Assert.Contains("HeartbeatInterval", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public async Task OutOfRangeMaxTakeovers_FailsStart_NamingTheOption(int maxTakeovers)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => JobSchedulerTestHost.StartAsync(services => services.AddJobScheduler()
            .UsePostgreSqlStore("Host=127.0.0.1;Port=1;Database=none")
            .UseClustering(o => o.MaxTakeovers = maxTakeovers)));

        Assert.Contains("MaxTakeovers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusteringWithoutThePostgreSqlStore_FailsStart_SayingWhatToAdd()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => JobSchedulerTestHost.StartAsync(services => services.AddJobScheduler()
            .AddJob<ClusterJob>("* * * * *")
            .UseClustering()));

        Assert.Contains("call UsePostgreSqlStore(connectionString) on the same builder as well", error.ToString(), StringComparison.Ordinal);
    }
}
