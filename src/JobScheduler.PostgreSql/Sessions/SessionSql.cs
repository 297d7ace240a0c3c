using System.Text;
using JobScheduler.PostgreSql.Storage;

namespace JobScheduler.PostgreSql.Sessions;

/// <summary>
/// The store's statements for one schema, built once. The schema is the only text spliced in (validated and quoted);
/// every value is a positional parameter.
/// </summary>
internal sealed class SessionSql
{
    /// <summary>The session columns, in the order <see cref="SessionRows"/> binds and reads them.</summary>
    public const string Columns = "id, job_name, trigger, scheduled_at, started_at, ended_at, duration_us, status, attempt, error, instance_id, metadata";

    private const string Values = "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

    public SessionSql(string schema)
    {
        var s = SchemaName.Quote(schema);
        Sessions = $"{s}.sessions";

        // A start never overwrites: a late or repeated start must not reopen an ended session.
        RecordStart = $"INSERT INTO {Sessions} ({Columns}) VALUES {Values} ON CONFLICT (id) DO NOTHING";

        // An end is the final record of the session, with or without a start before it.
        RecordEnd = $"""
            INSERT INTO {Sessions} ({Columns}) VALUES {Values}
            ON CONFLICT (id) DO UPDATE SET
                job_name = EXCLUDED.job_name, trigger = EXCLUDED.trigger, scheduled_at = EXCLUDED.scheduled_at,
                started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, duration_us = EXCLUDED.duration_us,
                status = EXCLUDED.status, attempt = EXCLUDED.attempt, error = EXCLUDED.error,
                instance_id = EXCLUDED.instance_id, metadata = EXCLUDED.metadata
            """;

        Purge = $"DELETE FROM {Sessions} WHERE ended_at < $1";

        // Keep the newest N non-running sessions of each job, in query order (started_at, then insertion).
        Trim = $"""
            DELETE FROM {Sessions} AS s
            USING (
                SELECT seq FROM (
                    SELECT seq, row_number() OVER (PARTITION BY job_name ORDER BY started_at DESC, seq DESC) AS rank
                    FROM {Sessions}
                    WHERE status <> $2
                ) AS ranked
                WHERE rank > $1
            ) AS doomed
            WHERE s.seq = doomed.seq
            """;

        RecordOccurrence = $"""
            INSERT INTO {s}.job_state AS state (job_name, last_occurrence) VALUES ($1, $2)
            ON CONFLICT (job_name) DO UPDATE SET last_occurrence = GREATEST(state.last_occurrence, EXCLUDED.last_occurrence)
            """;

        GetLastOccurrence = $"SELECT last_occurrence FROM {s}.job_state WHERE job_name = $1";
    }

    public string Sessions { get; }

    public string RecordStart { get; }

    public string RecordEnd { get; }

    public string Purge { get; }

    public string Trim { get; }

    public string RecordOccurrence { get; }

    public string GetLastOccurrence { get; }

    /// <summary>The query for the filters present; the parameters follow the same order: job name, status, since, limit.</summary>
    public string Query(bool byJobName, bool byStatus, bool since)
    {
        var sql = new StringBuilder(256).Append("SELECT ").Append(Columns).Append(" FROM ").Append(Sessions);
        var parameter = 0;
        var where = " WHERE ";
        if (byJobName)
        {
            sql.Append(where).Append("job_name = $").Append(++parameter);
            where = " AND ";
        }

        if (byStatus)
        {
            sql.Append(where).Append("status = $").Append(++parameter);
            where = " AND ";
        }

        if (since)
        {
            sql.Append(where).Append("started_at >= $").Append(++parameter);
        }

        return sql.Append(" ORDER BY started_at DESC, seq DESC LIMIT $").Append(++parameter).ToString();
    }
}
