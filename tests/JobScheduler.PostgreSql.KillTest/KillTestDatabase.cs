using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>
/// The test's tables (schema <c>killtest</c>: jobs, results, kills, processes) beside the scheduler's (schema
/// <c>jobscheduler</c>: sessions, occurrence_claims), and the SQL that compares them with the schedule.
/// </summary>
internal sealed class KillTestDatabase(NpgsqlDataSource dataSource)
{
    public const string SchedulerSchema = "jobscheduler";
    public const string ResultsSchema = "killtest";

    private const string S = SchedulerSchema;
    private const string R = ResultsSchema;

    /// <summary>Creates the test's tables; fails when either schema exists already (the database must be empty).</summary>
    public async Task CreateAsync(IReadOnlyList<(string Name, MisfirePolicy Misfire)> jobs)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var check = new NpgsqlCommand($"SELECT string_agg(nspname, ', ') FROM pg_namespace WHERE nspname IN ('{S}', '{R}')", connection))
        {
            if (await check.ExecuteScalarAsync() is string existing)
            {
                throw new KillTestException(
                    $"The database {connection.Database} already has schema(s) {existing}: give --connection an empty database (or none for a throwaway server).");
            }
        }

        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new($"CREATE SCHEMA {R}"),
                new($"CREATE TABLE {R}.jobs (job_name text PRIMARY KEY, run_once boolean NOT NULL)"),
                new($"""
                    CREATE TABLE {R}.results (
                        id          bigserial   PRIMARY KEY,
                        job_name    text        NOT NULL,
                        occurrence  timestamptz NOT NULL,
                        instance_id text        NOT NULL,
                        pid         integer     NOT NULL,
                        session_id  uuid        NOT NULL,
                        trigger     smallint    NOT NULL,
                        attempt     integer     NOT NULL,
                        inserted_at timestamptz NOT NULL DEFAULT clock_timestamp())
                    """),
                new($"CREATE INDEX results_job_name_occurrence_idx ON {R}.results (job_name, occurrence)"),
                new($"""
                    CREATE TABLE {R}.kills (
                        id               serial      PRIMARY KEY,
                        instance_id      text        NOT NULL,
                        pid              integer     NOT NULL,
                        killed_at        timestamptz NOT NULL,
                        restart_pause_ms integer     NOT NULL)
                    """),
                new($"""
                    CREATE TABLE {R}.processes (
                        instance_id text        NOT NULL,
                        pid         integer     NOT NULL,
                        started_at  timestamptz NOT NULL,
                        ended_at    timestamptz NULL,
                        how_ended   text        NULL)
                    """),
            },
        };
        foreach (var (name, misfire) in jobs)
        {
            batch.BatchCommands.Add(new($"INSERT INTO {R}.jobs VALUES ($1, $2)")
            {
                Parameters = { new NpgsqlParameter<string> { TypedValue = name }, new NpgsqlParameter<bool> { TypedValue = misfire == MisfirePolicy.RunOnce } },
            });
        }

        await batch.ExecuteNonQueryAsync();
    }

    public async Task RecordKillAsync(string instanceId, int pid, DateTimeOffset killedAt, TimeSpan restartPause)
    {
        await using var command = dataSource.CreateCommand($"INSERT INTO {R}.kills (instance_id, pid, killed_at, restart_pause_ms) VALUES ($1, $2, $3, $4)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instanceId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = killedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)restartPause.TotalMilliseconds });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The instances that hold an unfinished claim of a RunOnce job (they are running one right now), and those that hold
    /// an unfinished claim taken over from another instance (they are running a catch-up, which is run again only once).
    /// </summary>
    public async Task<(HashSet<string> RunningRunOnce, HashSet<string> RunningCatchUp)> BusyInstancesAsync()
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT c.instance_id, bool_or(j.run_once), bool_or(c.takeovers > 0)
            FROM {S}.occurrence_claims c JOIN {R}.jobs j ON j.job_name = c.job_name
            WHERE c.finished_at IS NULL
            GROUP BY c.instance_id
            """);
        var runOnce = new HashSet<string>(StringComparer.Ordinal);
        var catchUp = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (reader.GetBoolean(1))
                {
                    runOnce.Add(reader.GetString(0));
                }

                if (reader.GetBoolean(2))
                {
                    catchUp.Add(reader.GetString(0));
                }
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // No cluster tables (yet): nobody counts as busy.
        }

        return (runOnce, catchUp);
    }

    public async Task RecordProcessesAsync(IEnumerable<WorkerIncarnation> incarnations)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var p in incarnations)
        {
            batch.BatchCommands.Add(new($"INSERT INTO {R}.processes VALUES ($1, $2, $3, $4, $5)")
            {
                Parameters =
                {
                    new NpgsqlParameter<string> { TypedValue = p.InstanceId },
                    new NpgsqlParameter<int> { TypedValue = p.Pid },
                    new NpgsqlParameter<DateTimeOffset> { TypedValue = p.StartedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new NpgsqlParameter { Value = (object?)p.EndedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new NpgsqlParameter { Value = (object?)p.End ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                },
            });
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Compares results, sessions and claims with the schedule over the window [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public async Task<KillTestReport> ReportAsync(DateTimeOffset from, DateTimeOffset to)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var hasClaims = await ScalarAsync<bool>(connection, $"SELECT to_regclass('{S}.occurrence_claims') IS NOT NULL");
        var hasSessions = await ScalarAsync<bool>(connection, $"SELECT to_regclass('{S}.sessions') IS NOT NULL");
        if (!hasSessions)
        {
            throw new KillTestException($"No {S}.sessions table: no worker ever started its scheduler (see the worker logs).");
        }

        var report = new KillTestReport { From = from, To = to, HasClaims = hasClaims };
        var occurrences = OccurrencesSql(hasClaims);

        await using (var command = Command(connection, occurrences + $"""
            SELECT count(*),
                   count(*) FILTER (WHERE run_once),
                   count(*) FILTER (WHERE result_rows > 0),
                   count(*) FILTER (WHERE result_rows > 1),
                   count(*) FILTER (WHERE result_rows > 1 AND abandoned),
                   count(*) FILTER (WHERE result_rows > 1 AND NOT abandoned),
                   count(*) FILTER (WHERE result_rows = 0 AND run_once),
                   count(*) FILTER (WHERE result_rows = 0 AND NOT run_once),
                   count(*) FILTER (WHERE result_rows = 0 AND NOT run_once AND (abandoned OR holder_killed)),
                   count(*) FILTER (WHERE result_rows = 0 AND skipped),
                   count(*) FILTER (WHERE result_rows = 0 AND claimed_by IS NULL),
                   count(*) FILTER (WHERE catch_ups > 1),
                   count(*) FILTER (WHERE catch_ups > 0 AND NOT abandoned),
                   count(*) FILTER (WHERE result_rows = 0 AND run_once AND coalesce(takeovers, 0) >= {KillTestJobs.MaxTakeovers} AND holder_killed)
            FROM o
            """, from, to))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            report.Expected = reader.GetInt64(0);
            report.ExpectedRunOnce = reader.GetInt64(1);
            report.Executed = reader.GetInt64(2);
            report.Duplicated = reader.GetInt64(3);
            report.DuplicatedAfterKill = reader.GetInt64(4);
            report.DuplicatedWithoutKill = reader.GetInt64(5);
            report.LostRunOnce = reader.GetInt64(6);
            report.LostSkip = reader.GetInt64(7);
            report.LostSkipAfterKill = reader.GetInt64(8);
            report.LostRecordedSkipped = reader.GetInt64(9);
            report.LostUnclaimed = reader.GetInt64(10);
            report.RerunMoreThanOnce = reader.GetInt64(11);
            report.CatchUpWithoutAbandoned = reader.GetInt64(12);
            report.LostRunOnceTakeoversUsedUp = reader.GetInt64(13);
        }

        await using (var command = Command(connection, occurrences + $"""
            SELECT job_name, occurrence, result_rows, coalesce(ran_on, ''), coalesce(sessions, ''), coalesce(claimed_by, ''),
                   CASE WHEN result_rows > 1 THEN 'duplicated without a kill'
                        WHEN result_rows = 0 AND run_once AND coalesce(takeovers, 0) >= {KillTestJobs.MaxTakeovers} AND holder_killed THEN 'lost (RunOnce), every takeover run was killed too'
                        WHEN result_rows = 0 AND run_once THEN 'lost (RunOnce)'
                        WHEN result_rows = 0 THEN 'lost (Skip) without a kill'
                        ELSE 're-run more often than the takeover limit' END
            FROM o
            WHERE (result_rows > 1 AND NOT abandoned) OR (result_rows = 0 AND run_once) OR (result_rows = 0 AND NOT (abandoned OR holder_killed)) OR catch_ups > {KillTestJobs.MaxTakeovers}
            ORDER BY occurrence, job_name
            LIMIT 40
            """, from, to))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                report.Anomalies.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{reader.GetString(6)}: {reader.GetString(0)} @ {reader.GetFieldValue<DateTimeOffset>(1):HH:mm:ss} rows={reader.GetInt64(2)} ran=[{reader.GetString(3)}] sessions=[{reader.GetString(4)}] claim={reader.GetString(5)}"));
            }
        }

        await using (var command = Command(connection, $"""
            WITH k AS (
                SELECT k.id, k.instance_id, k.pid, k.killed_at,
                       coalesce(lag(k.killed_at) OVER (PARTITION BY k.instance_id ORDER BY k.killed_at), '-infinity') AS previous_kill
                FROM {R}.kills k),
            a AS (
                SELECT k.id AS kill_id, s.job_name, s.scheduled_at, j.run_once, s.trigger, s.ended_at AS abandoned_at, r.started_at AS rerun_at, r.instance_id AS rerun_by
                FROM k
                JOIN {S}.sessions s ON s.instance_id = k.instance_id AND s.status = 6
                                   AND s.started_at <= k.killed_at AND s.started_at > k.previous_kill
                JOIN {R}.jobs j ON j.job_name = s.job_name
                LEFT JOIN LATERAL (
                    SELECT c.started_at, c.instance_id FROM {S}.sessions c
                    WHERE c.job_name = s.job_name AND c.scheduled_at = s.scheduled_at AND c.trigger = 2 AND c.started_at > k.killed_at
                    ORDER BY c.started_at LIMIT 1) r ON true)
            SELECT k.instance_id, k.pid, k.killed_at,
                   count(a.job_name),
                   count(a.job_name) FILTER (WHERE a.run_once),
                   count(a.job_name) FILTER (WHERE a.run_once AND a.rerun_at IS NULL),
                   count(a.job_name) FILTER (WHERE a.run_once AND a.rerun_at IS NULL AND a.trigger = 2),
                   extract(epoch FROM min(a.rerun_at) - k.killed_at)::double precision * 1000,
                   extract(epoch FROM max(a.rerun_at) - k.killed_at)::double precision * 1000,
                   extract(epoch FROM max(a.abandoned_at) - k.killed_at)::double precision * 1000,
                   coalesce(string_agg(DISTINCT a.rerun_by, ','), '')
            FROM k LEFT JOIN a ON a.kill_id = k.id
            GROUP BY k.id, k.instance_id, k.pid, k.killed_at
            ORDER BY k.killed_at
            """, from, to))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                report.Kills.Add(new KillOutcome(
                    reader.GetString(0),
                    reader.GetInt32(1),
                    reader.GetFieldValue<DateTimeOffset>(2),
                    reader.GetInt64(3),
                    reader.GetInt64(4),
                    reader.GetInt64(5),
                    reader.GetInt64(6),
                    reader.IsDBNull(7) ? null : reader.GetDouble(7),
                    reader.IsDBNull(8) ? null : reader.GetDouble(8),
                    reader.IsDBNull(9) ? null : reader.GetDouble(9),
                    reader.GetString(10)));
            }
        }

        await using (var command = Command(connection, $"""
            SELECT (SELECT count(*) FROM {S}.sessions),
                   (SELECT count(*) FROM {S}.sessions WHERE status = 0),
                   (SELECT count(*) FROM {S}.sessions WHERE status = 6),
                   (SELECT count(*) FROM {S}.sessions WHERE trigger = 2),
                   (SELECT coalesce(string_agg(n, ', ' ORDER BY st), '') FROM (
                       SELECT status AS st, {StatusName("s")} || ' ' || count(*) AS n
                       FROM {S}.sessions s GROUP BY status) x),
                   (SELECT coalesce(string_agg(n, ', ' ORDER BY i), '') FROM (
                       SELECT instance_id AS i, instance_id || ' ' || count(*) AS n
                       FROM {R}.results WHERE occurrence >= $1 AND occurrence < $2 GROUP BY instance_id) x),
                   (SELECT count(*) FROM {R}.results)
            """, from, to))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            report.Sessions = reader.GetInt64(0);
            report.RunningAfterStop = reader.GetInt64(1);
            report.AbandonedSessions = reader.GetInt64(2);
            report.CatchUpSessions = reader.GetInt64(3);
            report.SessionsByStatus = reader.GetString(4);
            report.ExecutionsByInstance = reader.GetString(5);
            report.ResultRows = reader.GetInt64(6);
        }

        if (hasClaims)
        {
            await using var command = Command(connection, $"""
                SELECT count(*), count(*) FILTER (WHERE finished_at IS NULL), count(*) FILTER (WHERE takeovers > 0), coalesce(sum(takeovers), 0)
                FROM {S}.occurrence_claims
                """, from, to);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            report.Claims = reader.GetInt64(0);
            report.ClaimsUnfinished = reader.GetInt64(1);
            report.ClaimsTakenOver = reader.GetInt64(2);
            report.ClaimTakeovers = reader.GetInt64(3);
        }

        return report;
    }

    /// <summary>
    /// The CTE <c>o</c>: one row per expected (job, occurrence) of the window, with its results rows, its sessions and
    /// its claim. An occurrence counts as "after a kill" when it has an Abandoned session or its claim holder was killed
    /// while holding it.
    /// </summary>
    private static string OccurrencesSql(bool hasClaims)
    {
        var claims = hasClaims
            ? $"""
                SELECT c.job_name, c.occurrence, c.instance_id, c.takeovers,
                       EXISTS (SELECT 1 FROM {R}.kills k WHERE k.instance_id = c.instance_id AND k.killed_at >= c.claimed_at
                               AND (c.finished_at IS NULL OR k.killed_at <= c.finished_at)) AS holder_killed
                FROM {S}.occurrence_claims c WHERE c.occurrence >= $1 AND c.occurrence < $2
                """
            : "SELECT NULL::text AS job_name, NULL::timestamptz AS occurrence, NULL::text AS instance_id, NULL::integer AS takeovers, NULL::boolean AS holder_killed WHERE false";
        var status = StatusName("s");
        var trigger = TriggerName("s");
        var resultTrigger = TriggerName("r");
        return $"""
            WITH expected AS (
                SELECT j.job_name, j.run_once, g.occurrence
                FROM {R}.jobs j CROSS JOIN generate_series($1, $2 - interval '1 second', interval '1 second') AS g(occurrence)),
            r AS (
                SELECT r.job_name, r.occurrence, count(*) AS result_rows,
                       string_agg(r.instance_id || '/' || {resultTrigger}, ' ' ORDER BY r.id) AS ran_on
                FROM {R}.results r WHERE r.occurrence >= $1 AND r.occurrence < $2 GROUP BY r.job_name, r.occurrence),
            s AS (
                SELECT s.job_name, s.scheduled_at AS occurrence, bool_or(s.status = 6) AS abandoned, bool_or(s.status = 5) AS skipped,
                       bool_or(s.status = 6 AND s.trigger = 2) AS catch_up_abandoned,
                       count(*) FILTER (WHERE s.trigger = 2) AS catch_ups,
                       string_agg(coalesce(s.instance_id, '?') || '/' || {trigger} || '/' || {status}, ' ' ORDER BY s.started_at) AS sessions
                FROM {S}.sessions s WHERE s.scheduled_at >= $1 AND s.scheduled_at < $2 GROUP BY s.job_name, s.scheduled_at),
            c AS ({claims}),
            o AS (
                SELECT e.job_name, e.run_once, e.occurrence, coalesce(r.result_rows, 0) AS result_rows, r.ran_on,
                       coalesce(s.abandoned, false) AS abandoned, coalesce(s.skipped, false) AS skipped,
                       coalesce(s.catch_ups, 0) AS catch_ups, coalesce(s.catch_up_abandoned, false) AS catch_up_abandoned, s.sessions,
                       c.instance_id AS claimed_by, c.takeovers, coalesce(c.holder_killed, false) AS holder_killed
                FROM expected e
                LEFT JOIN r ON r.job_name = e.job_name AND r.occurrence = e.occurrence
                LEFT JOIN s ON s.job_name = e.job_name AND s.occurrence = e.occurrence
                LEFT JOIN c ON c.job_name = e.job_name AND c.occurrence = e.occurrence)

            """;
    }

    /// <summary>The name of a session's status (<see cref="JobSessionStatus"/>) in SQL.</summary>
    private static string StatusName(string alias) => $"(ARRAY['Running','Succeeded','Failed','TimedOut','Cancelled','Skipped','Abandoned'])[{alias}.status + 1]";

    /// <summary>The name of a trigger (<see cref="JobTrigger"/>) in SQL.</summary>
    private static string TriggerName(string alias) => $"(ARRAY['Scheduled','Manual','CatchUp'])[{alias}.trigger + 1]";

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, DateTimeOffset from, DateTimeOffset to)
    {
        var command = new NpgsqlCommand(sql, connection);
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }

        return command;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
