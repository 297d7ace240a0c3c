using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Execution;

/// <summary>
/// Creates a job instance from a run's scope: from DI when the app registered the class, otherwise through a cached
/// <see cref="ActivatorUtilities"/> factory (the scheduler then owns and disposes the instance).
/// </summary>
internal sealed class JobActivator
{
    private readonly Type _jobType;
    private readonly ObjectFactory? _factory;

    public JobActivator(Type jobType, IServiceProviderIsService? isService)
    {
        _jobType = jobType;
        if (isService?.IsService(jobType) != true)
        {
            _factory = ActivatorUtilities.CreateFactory(jobType, Type.EmptyTypes);
        }
    }

    /// <summary>Creates the job; <paramref name="owned"/> says whether the caller must dispose it.</summary>
    public IJob Create(IServiceProvider services, out bool owned)
    {
        owned = _factory is not null;
        return (IJob)(_factory is null ? services.GetRequiredService(_jobType) : _factory(services, null));
    }

    public static async ValueTask DisposeOwnedAsync(IJob job)
    {
        if (job is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (job is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
