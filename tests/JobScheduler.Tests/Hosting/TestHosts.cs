using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Tests.Hosting;

/// <summary>
/// Builds real generic hosts (not the test host) on a fake clock, for start-up failures and registration checks that
/// must see exactly what an application's <c>Program.cs</c> would.
/// </summary>
internal static class TestHosts
{
    /// <summary>A Monday, so weekday expressions are easy to read.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public static IHost Build(
        Action<IJobSchedulerBuilder> configure,
        IDictionary<string, string?>? configuration = null,
        Action<IServiceCollection>? services = null,
        TimeProvider? clock = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        services?.Invoke(builder.Services);
        configure(builder.Services.AddJobScheduler());
        builder.Services.Replace(ServiceDescriptor.Singleton(clock ?? new FakeTimeProvider(Start)));
        return builder.Build();
    }

    /// <summary>Starts a host that must fail validation and returns the one exception it threw.</summary>
    public static async Task<OptionsValidationException> StartFailureAsync(
        Action<IJobSchedulerBuilder> configure,
        IDictionary<string, string?>? configuration = null)
    {
        using var host = Build(configure, configuration);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    /// <summary>Asserts that exactly one failure contains every fragment, and returns it.</summary>
    public static string SingleFailureContaining(OptionsValidationException exception, params string[] fragments)
    {
        var matching = exception.Failures.Where(f => fragments.All(f.Contains)).ToList();
        Assert.True(
            matching.Count == 1,
            $"Expected one failure containing [{string.Join(" | ", fragments)}]; found {matching.Count} in:{Environment.NewLine}{string.Join(Environment.NewLine, exception.Failures)}");
        Assert.Contains(matching[0], exception.Message);
        return matching[0];
    }

    /// <summary>Parses a time span written the way tables show it (<c>-00:00:01</c>, <c>1.00:00:00</c>).</summary>
    public static TimeSpan Span(string text) => TimeSpan.Parse(text, CultureInfo.InvariantCulture);

    public static Dictionary<string, string?> Config(params (string Key, string? Value)[] values)
        => values.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
}
