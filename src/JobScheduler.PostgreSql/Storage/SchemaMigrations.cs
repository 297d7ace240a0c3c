namespace JobScheduler.PostgreSql.Storage;

/// <summary>
/// Every version of the schema, in order. Never edit a migration that has shipped: add the next one. Later versions add
/// tables beside these (the cluster's <c>occurrence_claims</c> with a unique (job_name, occurrence) key, and a lease
/// table for the overlap lock) without rewriting them.
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
    ];

    public static int LatestVersion => All[^1].Version;
}
