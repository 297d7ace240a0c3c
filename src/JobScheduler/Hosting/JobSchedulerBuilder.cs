using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Hosting;

internal sealed record JobSchedulerBuilder(IServiceCollection Services) : IJobSchedulerBuilder;
