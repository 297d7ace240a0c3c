using System.Diagnostics;
using System.Reflection;
using Xunit.Abstractions;

namespace JobScheduler.Tests.Diagnostics;

public sealed class ScratchStress(ITestOutputHelper output)
{
    [Fact]
    public async Task Stress()
    {
        var methods = typeof(JobSchedulerMetricsTests).GetMethods()
            .Where(m => m.GetCustomAttribute<FactAttribute>() is not null && m.GetParameters().Length == 0 && m.ReturnType == typeof(Task)).ToList();
        for (var round = 0; round < 40; round++)
        {
            foreach (var m in methods)
            {
                var sw = Stopwatch.StartNew();
                await (Task)m.Invoke(new JobSchedulerMetricsTests(), null)!;
                if (sw.ElapsedMilliseconds > 2000) output.WriteLine($"{round} {m.Name}: {sw.ElapsedMilliseconds} ms");
            }
        }
    }
}
