using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler;

/// <summary>Configures the job scheduler; returned by <c>AddJobScheduler()</c>.</summary>
public interface IJobSchedulerBuilder
{
    /// <summary>Gets the service collection the scheduler is registered in.</summary>
    IServiceCollection Services { get; }
}
