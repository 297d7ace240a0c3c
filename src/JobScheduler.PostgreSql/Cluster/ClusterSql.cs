using JobScheduler.PostgreSql.Sessions;
using JobScheduler.PostgreSql.Storage;

namespace JobScheduler.PostgreSql.Cluster;

/// <summary>
/// The cluster's statements for one schema, built once. The schema is the only text spliced in (validated and quoted);
/// every value is a positional parameter. Every time is the caller's clock, never the server's <c>now()</c>, so that
/// tests can drive the cluster with fake clocks (docs/clustering.md explains what that means for clock skew).
/// </summary>
internal sealed class ClusterSql
{
    public ClusterSql(string schema)
    {
        Schema = schema;
        var s = SchemaName.Quote(schema);
        var claims = $"{s}.occurrence_claims";
        var leases = $"{s}.job_leases";
        var instances = $"{s}.instances";

        // $1 job, $2 occurrence, $3 instance, $4 run id, $5 now. Returns the run id that holds the claim, so a statement
        // replayed after a lost connection still recognises its own claim. Nothing returned: a concurrent insert won.
        Claim = $"""
            WITH inserted AS (
                INSERT INTO {claims} (job_name, occurrence, instance_id, run_id, claimed_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (job_name, occurrence) DO NOTHING
                RETURNING run_id)
            SELECT run_id FROM inserted
            UNION ALL
            SELECT run_id FROM {claims} WHERE job_name = $1 AND occurrence = $2
            LIMIT 1
            """;

        // $1 job names, $2 occurrences, $3 run ids, $4 now.
        Finish = $"""
            UPDATE {claims} AS c SET finished_at = $4
            FROM unnest($1::text[], $2::timestamptz[], $3::uuid[]) AS f(job_name, occurrence, run_id)
            WHERE c.job_name = f.job_name AND c.occurrence = f.occurrence AND c.run_id = f.run_id AND c.finished_at IS NULL
            """;

        // $1 cutoff.
        PurgeClaims = $"DELETE FROM {claims} WHERE finished_at < $1";

        // $1 job, $2 run id, $3 instance, $4 now, $5 expires. Takes a free or expired lease, or one handed to this run.
        AcquireLease = $"""
            INSERT INTO {leases} AS l (job_name, run_id, instance_id, acquired_at, expires_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (job_name) DO UPDATE SET
                run_id = EXCLUDED.run_id, instance_id = EXCLUDED.instance_id,
                acquired_at = CASE WHEN l.run_id = EXCLUDED.run_id THEN l.acquired_at ELSE EXCLUDED.acquired_at END,
                expires_at = EXCLUDED.expires_at,
                waiting_run = CASE WHEN l.waiting_run = EXCLUDED.run_id THEN NULL ELSE l.waiting_run END,
                waiting_instance = CASE WHEN l.waiting_run = EXCLUDED.run_id THEN NULL ELSE l.waiting_instance END,
                waiting_expires_at = CASE WHEN l.waiting_run = EXCLUDED.run_id THEN NULL ELSE l.waiting_expires_at END
            WHERE l.run_id = EXCLUDED.run_id OR l.expires_at < EXCLUDED.acquired_at
            RETURNING l.run_id
            """;

        // Same parameters. Becomes the one waiter unless another live run already waits; reports whether the lease is still there.
        QueueForLease = $"""
            WITH queued AS (
                UPDATE {leases} SET waiting_run = $2, waiting_instance = $3, waiting_expires_at = $5
                WHERE job_name = $1 AND run_id <> $2 AND (waiting_run IS NULL OR waiting_run = $2 OR waiting_expires_at < $4)
                RETURNING 1)
            SELECT (SELECT count(*) FROM queued) AS queued, EXISTS (SELECT 1 FROM {leases} WHERE job_name = $1) AS held
            """;

        // $1 job, $2 run id, $3 now, $4 expires. Hands the lease to a live waiter, else deletes it (two statements, one batch).
        HandOverLease = $"""
            UPDATE {leases} SET run_id = waiting_run, instance_id = waiting_instance, acquired_at = $3, expires_at = $4,
                waiting_run = NULL, waiting_instance = NULL, waiting_expires_at = NULL
            WHERE job_name = $1 AND run_id = $2 AND waiting_run IS NOT NULL AND waiting_expires_at >= $3
            """;
        DeleteLease = $"DELETE FROM {leases} WHERE job_name = $1 AND run_id = $2";

        // $1 instance, $2 run ids held, $3 expires.
        RenewLeases = $"UPDATE {leases} SET expires_at = $3 WHERE instance_id = $1 AND run_id = ANY($2)";

        // $1 instance, $2 incarnation, $3 now, $4 expires.
        InsertInstance = $"""
            INSERT INTO {instances} (instance_id, incarnation, started_at, heartbeat_at, expires_at) VALUES ($1, $2, $3, $3, $4)
            ON CONFLICT (instance_id) DO NOTHING
            """;
        LockInstance = $"SELECT incarnation, expires_at FROM {instances} WHERE instance_id = $1 FOR UPDATE";
        ReplaceInstance = $"UPDATE {instances} SET incarnation = $2, started_at = $3, heartbeat_at = $3, expires_at = $4 WHERE instance_id = $1";
        Heartbeat = $"UPDATE {instances} SET heartbeat_at = $3, expires_at = $4 WHERE instance_id = $1 AND incarnation = $2";
        ReadIncarnation = $"SELECT incarnation FROM {instances} WHERE instance_id = $1";
        DeleteInstance = $"DELETE FROM {instances} WHERE instance_id = $1 AND incarnation = $2";

        // $1 me, $2 now. Dead instances that no other live instance is sweeping right now.
        LockDeadInstances = $"""
            SELECT instance_id, incarnation, expires_at FROM {instances}
            WHERE expires_at < $2 AND instance_id <> $1
            ORDER BY expires_at
            LIMIT 16
            FOR UPDATE SKIP LOCKED
            """;

        // $1 dead instance, $2 me, $3 now, $4 jobs that run an abandoned occurrence again, $5 most takeovers of one claim.
        // A claim is run again when its run did not end: no session at all, or its latest attempt Running or Abandoned.
        TakeOverClaims = $"""
            UPDATE {claims} AS c SET instance_id = $2, run_id = gen_random_uuid(), claimed_at = $3, takeovers = c.takeovers + 1
            WHERE c.instance_id = $1 AND c.finished_at IS NULL AND c.takeovers < $5 AND c.job_name = ANY($4)
              AND coalesce((
                    SELECT x.status FROM {s}.sessions AS x
                    WHERE x.job_name = c.job_name AND x.scheduled_at = c.occurrence AND x.instance_id = $1
                    ORDER BY x.attempt DESC, x.seq DESC
                    LIMIT 1), 0) IN (0, 6)
            RETURNING c.job_name, c.occurrence, c.run_id
            """;

        // $1 dead instance, $2 now, $3 run ids just taken over (which stay open).
        CloseClaims = $"""
            UPDATE {claims} SET finished_at = $2
            WHERE instance_id = $1 AND finished_at IS NULL AND NOT (run_id = ANY($3))
            """;

        // $1 dead instance, $2 now, $3 error text. Returns the sessions, so metrics and run observers hear of them.
        AbandonSessions = $"""
            UPDATE {s}.sessions SET status = 6, ended_at = $2, error = $3,
                duration_us = greatest(0, (extract(epoch FROM ($2 - started_at)) * 1000000)::bigint)
            WHERE instance_id = $1 AND status = 0
            RETURNING {SessionSql.Columns}
            """;

        // $1 dead instance.
        DeleteLeasesOf = $"DELETE FROM {leases} WHERE instance_id = $1";
        ClearWaitsOf = $"UPDATE {leases} SET waiting_run = NULL, waiting_instance = NULL, waiting_expires_at = NULL WHERE waiting_instance = $1";
    }

    public string Schema { get; }

    public string Claim { get; }

    public string Finish { get; }

    public string PurgeClaims { get; }

    public string AcquireLease { get; }

    public string QueueForLease { get; }

    public string HandOverLease { get; }

    public string DeleteLease { get; }

    public string RenewLeases { get; }

    public string InsertInstance { get; }

    public string LockInstance { get; }

    public string ReplaceInstance { get; }

    public string Heartbeat { get; }

    public string ReadIncarnation { get; }

    public string DeleteInstance { get; }

    public string LockDeadInstances { get; }

    public string TakeOverClaims { get; }

    public string CloseClaims { get; }

    public string AbandonSessions { get; }

    public string DeleteLeasesOf { get; }

    public string ClearWaitsOf { get; }
}
