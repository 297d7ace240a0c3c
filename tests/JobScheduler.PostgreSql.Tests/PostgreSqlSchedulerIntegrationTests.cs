using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>The scheduler on a fake clock, writing to a real server; a second store instance reads the history back.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlSchedulerIntegrationTests(PostgreSqlServerFixture server, ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ScheduledRuns_AreRecorded_AndReadableFromAnotherStore()
    {
        var schema = server.NewSchemaName();
        var logs = new FakeLogCollector();
        try
        {
            await RunAsync(schema, logs);
        }
        finally
        {
            foreach (var record in logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning))
            {
                output.WriteLine($"{record.Timestamp:HH:mm:ss.fff} {record.Level} {record.Category}: {record.Message} {record.Exception?.Message}");
            }
        }
    }

    private async Task RunAsync(string schema, FakeLogCollector logs)
    {
        await using (var host = await JobSchedulerTestHost.StartAsync(services => services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs))).AddJobScheduler()
            .Configure(o => o.InstanceId = "integration-host")
            .AddJob<NumberedJob>("*/10 * * * * *", job => job.WithName("pg-report").WithMisfire(MisfirePolicy.RunOnce))
            .AddJob<FailingJob>("*/30 * * * * *", job => job.WithName("pg-failing"))
            .UsePostgreSqlStore(server.ConnectionString, schema),
            new JobSchedulerTestHostOptions { SettleTimeout = TimeSpan.FromSeconds(10) }))
        {
            await host.AdvanceAsync(TimeSpan.FromMinutes(1));
            await host.StopAsync();
        }

        await using var reader = server.CreateStore(schema);
        var report = await WaitForAsync(reader, "pg-report", 6);
        var failing = await WaitForAsync(reader, "pg-failing", 2);

        Assert.Equal(Enumerable.Range(1, 6).Reverse().Select(i => Start.AddSeconds(10 * i)), report.Select(s => s.ScheduledAt));
        Assert.All(report, s =>
        {
            Assert.Equal(JobSessionStatus.Succeeded, s.Status);
            Assert.Equal(JobTrigger.Scheduled, s.Trigger);
            Assert.Equal("integration-host", s.InstanceId);
            Assert.Equal(1, s.Attempt);
            Assert.NotNull(s.EndedAt);
            Assert.Equal(s.ScheduledAt.ToString("O"), s.Metadata["occurrence"]);
        });
        Assert.All(failing, s =>
        {
            Assert.Equal(JobSessionStatus.Failed, s.Status);
            Assert.Contains("boom from PostgreSQL integration test", s.Error, StringComparison.Ordinal);
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await reader.GetLastOccurrenceAsync("pg-report", CancellationToken.None) != Start.AddMinutes(1) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(Start.AddMinutes(1), await reader.GetLastOccurrenceAsync("pg-report", CancellationToken.None));
    }

    /// <summary>Writes arrive through the scheduler's buffer; allow them a bounded real-time moment to land.</summary>
    private static async Task<IReadOnlyList<JobSession>> WaitForAsync(IJobSessionStore store, string jobName, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var sessions = await store.GetSessionsByJobAsync(jobName, limit: 100);
            if ((sessions.Count == count && sessions.All(s => s.Status != JobSessionStatus.Running)) || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, sessions.Count);
                return sessions;
            }

            await Task.Delay(50);
        }
    }

    public sealed class NumberedJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            context.Metadata["occurrence"] = context.ScheduledAt.ToString("O");
            return Task.CompletedTask;
        }
    }

    public sealed class FailingJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
            => throw new InvalidOperationException("boom from PostgreSQL integration test");
    }
}
