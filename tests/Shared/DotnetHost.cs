namespace JobScheduler.Tests.Shared;

/// <summary>Finds the dotnet host for tests that start a child process, so the child runs on the tests' own runtime.</summary>
internal static class DotnetHost
{
    /// <summary>Returns the dotnet host running these tests, else the one on PATH.</summary>
    public static string Find()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }
}
