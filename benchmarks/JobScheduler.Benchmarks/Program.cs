using BenchmarkDotNet.Running;
using JobScheduler.Benchmarks.Micro;
using JobScheduler.Benchmarks.Peers;

// dotnet run -c Release --project benchmarks/JobScheduler.Benchmarks                    micro-benchmarks (BenchmarkDotNet)
// dotnet run -c Release --project benchmarks/JobScheduler.Benchmarks -- peers [--quick] side-by-side peer runner
// dotnet <this dll> worker <system> <workload> [options]                                one measurement (the runner starts these)
if (args.Length > 0 && args[0] == "peers")
{
    return await PeerRunner.RunAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "worker")
{
    return await PeerWorker.RunAsync(args[1..]).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(MicroConfig).Assembly).Run(args, new MicroConfig());
return 0;
