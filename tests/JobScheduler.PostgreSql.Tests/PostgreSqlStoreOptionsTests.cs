using JobScheduler.PostgreSql.Hosting;
using JobScheduler.PostgreSql.Sessions;
using JobScheduler.PostgreSql.Storage;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>Registration and validation; none of these needs the server.</summary>
public sealed class PostgreSqlStoreOptionsTests
{
    private const string Injection = "x\"; drop table y; --";
    private const string SomeServer = "Host=127.0.0.1;Port=1;Database=jobs;Username=app";

    [Fact]
    public void Defaults_SchemaIsJobscheduler()
    {
        var options = new PostgreSqlStoreOptions();

        Assert.Equal("jobscheduler", options.Schema);
        Assert.Equal(PostgreSqlStoreDefaults.Schema, options.Schema);
        Assert.Equal("", options.ConnectionString);
    }

    [Theory]
    [InlineData("jobscheduler")]
    [InlineData("_private")]
    [InlineData("app_1")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")] // 63 characters
    public void Validate_PlainIdentifier_Succeeds(string schema)
        => Assert.True(Validate(new PostgreSqlStoreOptions { ConnectionString = SomeServer, Schema = schema }).Succeeded);

    [Theory]
    [InlineData(Injection)]
    [InlineData("Jobs")]
    [InlineData("1jobs")]
    [InlineData("job-scheduler")]
    [InlineData("job scheduler")]
    [InlineData("jobs.sessions")]
    [InlineData("\"jobs\"")]
    [InlineData("pg_jobs")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")] // 64 characters
    public void Validate_AnythingElse_FailsNamingTheValue(string schema)
    {
        var result = Validate(new PostgreSqlStoreOptions { ConnectionString = SomeServer, Schema = schema });

        Assert.True(result.Failed);
        Assert.Contains($"'{schema}'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptySchemaAndConnectionString_FailsForBoth()
    {
        var result = Validate(new PostgreSqlStoreOptions { ConnectionString = "", Schema = "" });

        Assert.True(result.Failed);
        Assert.Contains(nameof(PostgreSqlStoreOptions.ConnectionString), result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(nameof(PostgreSqlStoreOptions.Schema), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnparsableConnectionString_FailsWithoutEchoingIt()
    {
        var result = Validate(new PostgreSqlStoreOptions { ConnectionString = "Hots=db;Password=secret-value" });

        Assert.True(result.Failed);
        Assert.Contains("not a valid Npgsql connection string", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_WithInjectedSchemaName_FailsBeforeAnySql()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => JobSchedulerTestHost.StartAsync(services =>
            services.AddJobScheduler().UsePostgreSqlStore(SomeServer, Injection)));

        Assert.Contains(Injection, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_InjectedSchemaName_Throws()
        => Assert.Throws<ArgumentException>(() => SchemaName.Quote(Injection));

    [Fact]
    public void UsePostgreSqlStore_ReplacesTheSessionStore()
    {
        var services = new ServiceCollection();

        services.AddJobScheduler().UsePostgreSqlStore(SomeServer, "jobs");

        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(IJobSessionStore));
        Assert.Equal(typeof(PostgreSqlJobSessionStore), descriptor.ImplementationType);
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
    }

    [Fact]
    public async Task Store_IsResolvableWithoutTouchingTheDatabase()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddJobScheduler().UsePostgreSqlStore(o =>
        {
            o.ConnectionString = SomeServer; // nothing listens on port 1
            o.Schema = "jobs";
        });
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IJobSessionStore>();

        var postgres = Assert.IsType<PostgreSqlJobSessionStore>(store);
        Assert.Equal("jobs", postgres.Schema);
    }

    [Fact]
    public void UsePostgreSqlStore_GuardsArguments()
    {
        var builder = new ServiceCollection().AddJobScheduler();

        Assert.Throws<ArgumentNullException>(() => ((IJobSchedulerBuilder)null!).UsePostgreSqlStore(SomeServer));
        Assert.Throws<ArgumentException>(() => builder.UsePostgreSqlStore(" "));
        Assert.Throws<ArgumentNullException>(() => builder.UsePostgreSqlStore(SomeServer, null!));
        Assert.Throws<ArgumentNullException>(() => builder.UsePostgreSqlStore((Action<PostgreSqlStoreOptions>)null!));
    }

    private static ValidateOptionsResult Validate(PostgreSqlStoreOptions options)
    {
        var services = new ServiceCollection();
        services.AddJobScheduler().UsePostgreSqlStore(o =>
        {
            o.ConnectionString = options.ConnectionString;
            o.Schema = options.Schema;
        });
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;
            return ValidateOptionsResult.Success;
        }
        catch (OptionsValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Failures);
        }
    }
}
