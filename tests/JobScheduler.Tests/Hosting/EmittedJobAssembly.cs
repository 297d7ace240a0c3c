using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Tests.Hosting;

/// <summary>Base class of emitted jobs: each run is added to the <see cref="RunLog"/> registered in DI, if any.</summary>
public class RecordingJob : IJob
{
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        context.Services.GetService<RunLog>()?.Runs.Enqueue((context.JobName, context.ScheduledAt, context.Trigger));
        return Task.CompletedTask;
    }
}

/// <summary>The runs of <see cref="RecordingJob"/>s, in the order they ran.</summary>
public sealed class RunLog
{
    public ConcurrentQueue<(string JobName, DateTimeOffset ScheduledAt, JobTrigger Trigger)> Runs { get; } = new();
}

/// <summary>
/// A throw-away assembly of attributed job classes, built at run time. Assembly scanning is tested against a known set
/// of classes, and the deliberately bad ones (a [CronJob] class that is not an IJob, an abstract one, one with two
/// schedule attributes) never sit in this test assembly, where any other test's scan would pick them up.
/// </summary>
internal sealed class EmittedJobAssembly
{
    private readonly AssemblyBuilder _assembly;
    private readonly ModuleBuilder _module;

    public EmittedJobAssembly()
    {
        _assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName($"EmittedJobs{Guid.NewGuid():N}"), AssemblyBuilderAccess.Run);
        _module = _assembly.DefineDynamicModule("EmittedJobs");
    }

    public Assembly Assembly => _assembly;

    /// <summary>Adds a public class deriving from <see cref="RecordingJob"/> (or <paramref name="baseType"/>) with the attributes.</summary>
    public Type AddClass(string fullName, IEnumerable<CustomAttributeBuilder> attributes, Type? baseType = null, bool isAbstract = false)
    {
        var attributesOfType = TypeAttributes.Public | TypeAttributes.Class | (isAbstract ? TypeAttributes.Abstract : 0);
        var type = _module.DefineType(fullName, attributesOfType, baseType ?? typeof(RecordingJob));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        foreach (var attribute in attributes)
        {
            type.SetCustomAttribute(attribute);
        }

        return type.CreateType();
    }

    public Type AddClass(string fullName, params CustomAttributeBuilder[] attributes) => AddClass(fullName, (IEnumerable<CustomAttributeBuilder>)attributes);

    public static CustomAttributeBuilder Cron(string expression, string? name = null, string? timeZone = null, bool runOnStartup = false)
        => Attribute<CronJobAttribute>([expression], ("Name", name), ("TimeZone", timeZone), ("RunOnStartup", runOnStartup));

    public static CustomAttributeBuilder Interval(string interval, string? name = null, bool runOnStartup = false)
        => Attribute<IntervalJobAttribute>([interval], ("Name", name), ("RunOnStartup", runOnStartup));

    public static CustomAttributeBuilder Timeout(string timeout) => Attribute<JobTimeoutAttribute>([timeout]);

    public static CustomAttributeBuilder Retry(int maxRetries, string? delay = null, RetryBackoff backoff = RetryBackoff.Constant, bool useJitter = false)
        => Attribute<JobRetryAttribute>([maxRetries], ("Delay", delay), ("Backoff", backoff), ("UseJitter", useJitter));

    public static CustomAttributeBuilder Overlap(OverlapPolicy policy) => Attribute<JobOverlapAttribute>([policy]);

    public static CustomAttributeBuilder Misfire(MisfirePolicy policy) => Attribute<JobMisfireAttribute>([policy]);

    private static CustomAttributeBuilder Attribute<TAttribute>(object[] constructorArguments, params (string Name, object? Value)[] properties)
        where TAttribute : Attribute
    {
        var constructor = typeof(TAttribute).GetConstructor([.. constructorArguments.Select(a => a.GetType())])
            ?? throw new InvalidOperationException($"{typeof(TAttribute).Name} has no constructor for these arguments.");
        var set = properties.Where(p => p.Value is not null).ToArray();
        return new CustomAttributeBuilder(
            constructor,
            constructorArguments,
            [.. set.Select(p => typeof(TAttribute).GetProperty(p.Name)!)],
            [.. set.Select(p => p.Value!)]);
    }
}
