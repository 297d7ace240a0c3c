// The cluster kill test (issue 6): N worker processes run the same every-second jobs in cluster mode on one PostgreSQL
// database; every few seconds one of them is killed with SIGKILL and restarted with the same instance id. At the end the
// results table (one row per job body that ran), the sessions and the occurrence claims are compared with the schedule.
//
// Half the jobs are MisfirePolicy.RunOnce (once-01, once-03, ...): an occurrence interrupted by a kill must be run again,
// so none may be missing; one may have two rows when the kill came after its row was written (at-least-once). The other
// half are MisfirePolicy.Skip (skip-02, ...): an interrupted occurrence may be missing (at-most-once). Each run lasts
// --job-ms and writes its row at a random point inside it, so kills land both before and after the write. The jobs use
// OverlapPolicy.Allow unless --overlap says otherwise: the test is about claims and takeovers, and with Skip or Queue a
// killed instance's overlap lease holds the job on every instance until it expires.
//
// Orchestrator (default):
//   dotnet run -c Release --project tests/JobScheduler.PostgreSql.KillTest -- --minutes 10
//     [--seconds S]          run length instead of --minutes (warm-up and tail included)
//     [--victims any|busy]   kill any worker, or one running a RunOnce job but no catch-up (short runs, CI)
//     [--workers 3] [--jobs 10] [--kill-every 5] [--seed N]
//     [--connection <cs>]    an empty database to use; without it a throwaway server is started (initdb/pg_ctl)
//     [--out report.md] [--json report.json] [--logs <folder>]
//     [--heartbeat-ms 1000] [--timeout-ms 4000] [--job-ms 800] [--overlap allow|skip|queue] [--max-pause 6]
//     [--log-level Warning]
//   Exit code 0 when no occurrence ran twice without a kill and no RunOnce occurrence was lost; 1 otherwise; 2 on bad
//   arguments or a run that could not be carried out.
//
// Worker (started by the orchestrator):
//   dotnet JobScheduler.PostgreSql.KillTest.dll worker --connection <cs> --instance worker-1 [--jobs 10] ...
using JobScheduler.PostgreSql.KillTest;

try
{
    if (args.Length > 0 && args[0] == "worker")
    {
        return await WorkerHost.RunAsync(WorkerSettings.Parse(args[1..]));
    }

    return await Orchestrator.RunAsync(OrchestratorSettings.Parse(args));
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"kill test: {e.Message}");
    await Console.Error.WriteLineAsync("Usage: see the top of tests/JobScheduler.PostgreSql.KillTest/Program.cs.");
    return 2;
}
catch (KillTestException e)
{
    await Console.Error.WriteLineAsync($"kill test: {e.Message}");
    return 2;
}
