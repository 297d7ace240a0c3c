// The cluster kill test (issue 6, docs/clustering.md): N worker processes run the same every-second jobs in cluster mode
// on one PostgreSQL database; every few seconds one of them is killed with SIGKILL and restarted with the same instance
// id. At the end the results table (one row per job body that ran), the sessions and the occurrence claims are compared
// with the schedule. `--help` prints the options (Usage below).
using JobScheduler.PostgreSql.KillTest;

const string Usage = """
    JobScheduler cluster kill test

    Orchestrator (default):
      dotnet run -c Release --project tests/JobScheduler.PostgreSql.KillTest -- --minutes 10
        --minutes M | --seconds S  run length, warm-up and tail included (default 10 minutes)
        --workers 3                worker processes, instance ids worker-1..N
        --jobs 10                  every-second jobs: once-01, skip-02, once-03, ... (odd RunOnce, even Skip)
        --kill-every 5             mean seconds between SIGKILLs (each interval uniform in 0.5x..1.5x)
        --victims any|busy         kill any worker that is up, or one running a RunOnce job and no catch-up (CI)
        --max-pause 6              longest pause before a killed worker restarts (shortest 0.5 s)
        --seed N                   seeds kill times, victims and pauses (random by default; printed)
        --connection <cs>          an empty database; without it a throwaway server is started (initdb/pg_ctl)
        --out report.md            also write the markdown report to a file
        --json report.json         also write the report as JSON (what ClusterKillTests reads)
        --logs <folder>            worker logs (default: a new folder under the temp folder)
        --heartbeat-ms 1000        PostgreSqlClusterOptions.HeartbeatInterval
        --timeout-ms 4000          PostgreSqlClusterOptions.InstanceTimeout
        --job-ms 800               length of one run; its results row is written at a random point inside it
        --overlap allow|skip|queue overlap policy of the jobs (default allow: see below)
        --log-level Warning        worker log level

    Half the jobs are MisfirePolicy.RunOnce: an occurrence interrupted by a kill is run again once, so none may be
    missing unless that one re-run was killed too; one may have two rows when the kill came after its row was written
    (at least once). The other half are MisfirePolicy.Skip: an interrupted occurrence may be missing (at most once).
    With --overlap skip or queue, a killed instance's overlap lease holds the job on every instance until it expires,
    and the occurrences skipped meanwhile count as lost.

    Exit code: 0 when no occurrence ran twice without a kill and every lost RunOnce occurrence had its re-run killed
    too; 1 otherwise; 2 on bad arguments, an interrupted run (Ctrl+C) or a run that could not be carried out.

    Worker (started by the orchestrator):
      dotnet JobScheduler.PostgreSql.KillTest.dll worker --connection <cs> --instance worker-1 [--jobs 10] ...
    """;

try
{
    if (args is ["--help"] or ["-h"])
    {
        await Console.Out.WriteLineAsync(Usage);
        return 0;
    }

    if (args.Length > 0 && args[0] == "worker")
    {
        return await WorkerHost.RunAsync(WorkerSettings.Parse(args[1..]));
    }

    return await Orchestrator.RunAsync(OrchestratorSettings.Parse(args));
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"kill test: {e.Message}");
    await Console.Error.WriteLineAsync("Run with --help for the options.");
    return 2;
}
catch (KillTestException e)
{
    await Console.Error.WriteLineAsync($"kill test: {e.Message}");
    return 2;
}
