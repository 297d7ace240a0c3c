namespace JobScheduler.PostgreSql.Storage;

/// <summary>
/// Every version of the schema, in order. Never edit a migration that has shipped: add the next one. Version 2 adds the
/// cluster's tables, used only with <c>UseClustering</c> (docs/clustering.md).
/// </summary>
internal static class SchemaMigrations
{
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "sessions and job_state", static s => $$"""
            CREATE TABLE {{s}}.sessions (
                seq          bigserial   PRIMARY KEY,
                id           uuid        NOT NULL UNIQUE,
                job_name     text        NOT NULL,
                trigger      smallint    NOT NULL,
                scheduled_at timestamptz NOT NULL,
                started_at   timestamptz NOT NULL,
                ended_at     timestamptz NULL,
                duration_us  bigint      NULL,
                status       smallint    NOT NULL,
                attempt      integer     NOT NULL,
                error        text        NULL,
                instance_id  text        NULL,
                metadata     jsonb       NOT NULL DEFAULT '{}'
            );
            COMMENT ON TABLE {{s}}.sessions IS 'JobScheduler: one row per attempt of a job run (JobSession); seq is the insertion order';
            COMMENT ON COLUMN {{s}}.sessions.trigger IS 'JobTrigger: 0 Scheduled, 1 Manual, 2 CatchUp';
            COMMENT ON COLUMN {{s}}.sessions.status IS 'JobSessionStatus: 0 Running, 1 Succeeded, 2 Failed, 3 TimedOut, 4 Cancelled, 5 Skipped, 6 Abandoned';
            COMMENT ON COLUMN {{s}}.sessions.duration_us IS 'Duration in microseconds';
            CREATE INDEX sessions_job_name_started_at_idx ON {{s}}.sessions (job_name, started_at DESC, seq DESC);
            CREATE INDEX sessions_status_started_at_idx ON {{s}}.sessions (status, started_at DESC, seq DESC);
            CREATE INDEX sessions_started_at_idx ON {{s}}.sessions (started_at DESC, seq DESC);
            CREATE INDEX sessions_ended_at_idx ON {{s}}.sessions (ended_at) WHERE ended_at IS NOT NULL;
            CREATE TABLE {{s}}.job_state (
                job_name        text        PRIMARY KEY,
                last_occurrence timestamptz NOT NULL
            );
            COMMENT ON TABLE {{s}}.job_state IS 'JobScheduler: per-job state; last_occurrence is the latest occurrence fired (misfire catch-up)';
            """),
        new(2, "cluster: instances, occurrence_claims, job_leases", static s => $$"""
            CREATE TABLE {{s}}.instances (
                instance_id  text        PRIMARY KEY,
                incarnation  uuid        NOT NULL,
                started_at   timestamptz NOT NULL,
                heartbeat_at timestamptz NOT NULL,
                expires_at   timestamptz NOT NULL
            );
            COMMENT ON TABLE {{s}}.instances IS 'JobScheduler cluster: live scheduler instances; one whose expires_at has passed is dead and its work is taken over';
            COMMENT ON COLUMN {{s}}.instances.incarnation IS 'Random per process, so a restarted process with the same instance_id is told apart from its predecessor';
            CREATE TABLE {{s}}.occurrence_claims (
                job_name    text        NOT NULL,
                occurrence  timestamptz NOT NULL,
                instance_id text        NOT NULL,
                run_id      uuid        NOT NULL,
                claimed_at  timestamptz NOT NULL,
                finished_at timestamptz NULL,
                takeovers   integer     NOT NULL DEFAULT 0,
                PRIMARY KEY (job_name, occurrence)
            );
            COMMENT ON TABLE {{s}}.occurrence_claims IS 'JobScheduler cluster: one row per occurrence run in the cluster; the instance whose insert wins runs it';
            COMMENT ON COLUMN {{s}}.occurrence_claims.run_id IS 'Id of the first session of the run that holds the claim';
            COMMENT ON COLUMN {{s}}.occurrence_claims.takeovers IS 'How often a live instance took the claim over from a dead one (at most MaxTakeovers)';
            CREATE INDEX occurrence_claims_unfinished_idx ON {{s}}.occurrence_claims (instance_id) WHERE finished_at IS NULL;
            CREATE INDEX occurrence_claims_finished_at_idx ON {{s}}.occurrence_claims (finished_at);
            CREATE TABLE {{s}}.job_leases (
                job_name           text        PRIMARY KEY,
                run_id             uuid        NOT NULL,
                instance_id        text        NOT NULL,
                acquired_at        timestamptz NOT NULL,
                expires_at         timestamptz NOT NULL,
                waiting_run        uuid        NULL,
                waiting_instance   text        NULL,
                waiting_expires_at timestamptz NULL
            );
            COMMENT ON TABLE {{s}}.job_leases IS 'JobScheduler cluster: the overlap lock of each job with a run in progress; renewed by its instance''s heartbeat, void after expires_at';
            COMMENT ON COLUMN {{s}}.job_leases.waiting_run IS 'The one run queued for the lease (overlap policy Queue); the holder hands it the lease on release';
            CREATE INDEX sessions_job_name_scheduled_at_idx ON {{s}}.sessions (job_name, scheduled_at);
            """),
    ];

    public static int LatestVersion => All[^1].Version;
}
