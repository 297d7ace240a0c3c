using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Execution;

/// <summary>
/// Creates a job instance from a run's scope: from DI when the app registered the class, otherwise through a cached
/// factory (the scheduler then owns and disposes the instance): the class's parameterless constructor when that is its
/// only one, an <see cref="ActivatorUtilities"/> factory when its constructor takes services.
/// </summary>
internal sealed class JobActivator
{
    private readonly Type _jobType;
    private readonly ObjectFactory? _factory;

    // Whether creating the job reads the scope: a DI registration does, and so may any constructor with parameters.
    private readonly bool _needsServices;

    public JobActivator(Type jobType, IServiceProviderIsService? isService)
    {
        _jobType = jobType;
        var parameterless = jobType.GetConstructors() is [{ } only] && only.GetParameters().Length == 0 ? only : null;
        if (isService?.IsService(jobType) != true)
        {
            // ActivatorUtilities compiles an expression tree, and the first compilation in a process costs 20-40 ms of
            // start-up: a constructor without parameters is invoked as it is (docs/performance.md, fifteenth round, W4).
            _factory = parameterless is not null
                ? InvokeParameterless(parameterless)
                : ActivatorUtilities.CreateFactory(jobType, Type.EmptyTypes);
        }

        _needsServices = _factory is null || parameterless is null;
    }

    /// <summary>
    /// Creates the job from the attempt's scope; <paramref name="owned"/> says whether the caller must dispose it. A class
    /// whose only constructor takes nothing is built without opening the scope (see <see cref="JobContext.Services"/>).
    /// </summary>
    public IJob Create(JobContext context, out bool owned)
    {
        owned = _factory is not null;
        if (!_needsServices)
        {
            return (IJob)_factory!(NoServices.Instance, null);
        }

        return (IJob)(_factory is null ? context.Services.GetRequiredService(_jobType) : _factory(context.Services, null));
    }

    // The invoker does not wrap what the constructor throws, so a failing constructor's own exception is the run's error.
    private static ObjectFactory InvokeParameterless(ConstructorInfo constructor)
    {
        var invoker = ConstructorInvoker.Create(constructor);
        return (_, _) => invoker.Invoke();
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

    /// <summary>The provider a parameterless constructor is built with: it is never asked for anything.</summary>
    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
