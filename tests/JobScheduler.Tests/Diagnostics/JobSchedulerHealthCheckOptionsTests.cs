using JobScheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Tests.Diagnostics;

public sealed class JobSchedulerHealthCheckOptionsTests
{
    [Fact]
    public void EnsureDefaults()
    {
        // Literals on purpose: a changed default must change this test.
        Assert.Equal("jobscheduler", JobSchedulerDefaults.HealthCheckName);
        Assert.Equal(TimeSpan.FromHours(1), JobSchedulerDefaults.HealthFailureWindow);
        Assert.Equal(1, JobSchedulerDefaults.HealthDegradedAfterFailures);
        Assert.Equal(5, JobSchedulerDefaults.HealthUnhealthyAfterFailures);
        Assert.Equal(TimeSpan.FromMinutes(1), JobSchedulerDefaults.HealthOverdueTolerance);

        var options = new JobSchedulerHealthCheckOptions();
        Assert.Equal(TimeSpan.FromHours(1), options.FailureWindow);
        Assert.Equal(1, options.DegradedAfterFailures);
        Assert.Equal(5, options.UnhealthyAfterFailures);
        Assert.Equal(TimeSpan.FromMinutes(1), options.OverdueTolerance);
    }

    [Fact]
    public void EveryPropertyHasItsDefaultPinnedHere()
        => Assert.Equal(
            ["DegradedAfterFailures", "FailureWindow", "OverdueTolerance", "UnhealthyAfterFailures"],
            typeof(JobSchedulerHealthCheckOptions).GetProperties().Select(p => p.Name).Order());

    [Theory]
    [InlineData("FailureWindow", "00:00:00")]
    [InlineData("FailureWindow", "8.00:00:00")]
    [InlineData("OverdueTolerance", "00:00:00")]
    [InlineData("OverdueTolerance", "-00:01:00")]
    [InlineData("DegradedAfterFailures", "-1")]
    [InlineData("UnhealthyAfterFailures", "1025")]
    public async Task Start_OutOfRange_FailsNamingTheOption(string property, string value)
    {
        var failure = await StartFailureAsync(o => Set(o, property, value));

        Assert.Contains(property, failure.Message);
    }

    [Fact]
    public async Task Start_UnhealthyBelowDegraded_FailsNamingBoth()
    {
        var failure = await StartFailureAsync(o => { o.DegradedAfterFailures = 3; o.UnhealthyAfterFailures = 2; });

        Assert.Contains("UnhealthyAfterFailures (2) must not be below DegradedAfterFailures (3)", failure.Message);
        Assert.Contains("'jobscheduler'", failure.Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 0)]   // failures never make it unhealthy
    [InlineData(0, 2)]   // failures never only degrade it
    [InlineData(2, 2)]
    [InlineData(1, 1024)]
    public async Task Start_ValidThresholds_Starts(int degraded, int unhealthy)
    {
        using var host = Build(o => { o.DegradedAfterFailures = degraded; o.UnhealthyAfterFailures = unhealthy; });

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void Options_AreNamedAfterTheCheck()
    {
        using var host = Build(o => o.FailureWindow = TimeSpan.FromMinutes(10), name: "jobs");

        var monitor = host.Services.GetRequiredService<IOptionsMonitor<JobSchedulerHealthCheckOptions>>();

        Assert.Equal(TimeSpan.FromMinutes(10), monitor.Get("jobs").FailureWindow);
        Assert.Equal(TimeSpan.FromHours(1), monitor.Get("jobscheduler").FailureWindow);
    }

    private static async Task<OptionsValidationException> StartFailureAsync(Action<JobSchedulerHealthCheckOptions> configure)
    {
        using var host = Build(configure);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    private static IHost Build(Action<JobSchedulerHealthCheckOptions> configure, string name = "jobscheduler")
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DiagnosticsHost.Start));
        builder.Services.AddJobScheduler();
        builder.Services.AddHealthChecks().AddJobScheduler(configure, name);
        return builder.Build();
    }

    private static void Set(JobSchedulerHealthCheckOptions options, string property, string value)
    {
        var info = typeof(JobSchedulerHealthCheckOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(int)
            ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
