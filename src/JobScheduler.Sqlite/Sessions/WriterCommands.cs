using Microsoft.Data.Sqlite;

namespace JobScheduler.Sqlite.Sessions;

/// <summary>
/// The write statements on the writer connection, created once and reused (Microsoft.Data.Sqlite keeps each command's
/// prepared statement), every value a parameter.
/// </summary>
internal sealed class WriterCommands : IDisposable
{
    // A start never overwrites: a late retried start must not reopen a session that already ended.
    private const string InsertStartSql =
        "INSERT INTO sessions (" + SessionRows.Columns + ") VALUES (" + SessionRows.Parameters + ") ON CONFLICT (id) DO NOTHING;";

    // An end replaces every field of the session, or inserts it (a skipped occurrence has no start); seq is kept.
    private const string UpsertEndSql =
        "INSERT INTO sessions (" + SessionRows.Columns + ") VALUES (" + SessionRows.Parameters + ") " +
        """
        ON CONFLICT (id) DO UPDATE SET
            job_name = excluded.job_name, trigger_kind = excluded.trigger_kind, scheduled_at = excluded.scheduled_at,
            started_at = excluded.started_at, ended_at = excluded.ended_at, duration = excluded.duration,
            status = excluded.status, attempt = excluded.attempt, error = excluded.error,
            instance_id = excluded.instance_id, metadata = excluded.metadata;
        """;

    // Keeps the newest: an older occurrence arriving late never moves the mark back.
    private const string RecordOccurrenceSql = """
        INSERT INTO job_state (job_name, last_occurrence) VALUES (@job_name, @occurrence)
        ON CONFLICT (job_name) DO UPDATE SET
            last_occurrence = max(coalesce(job_state.last_occurrence, excluded.last_occurrence), excluded.last_occurrence);
        """;

    private const string PurgeSql = "DELETE FROM sessions WHERE ended_at < @ended_before;";

    // Ranked like QueryAsync (newest started first, ties by insertion); Running sessions are never ranked or deleted.
    private const string TrimSql = """
        DELETE FROM sessions WHERE seq IN (
            SELECT seq FROM (
                SELECT seq, row_number() OVER (PARTITION BY job_name ORDER BY started_at DESC, seq DESC) AS newest_first
                FROM sessions
                WHERE status <> @running)
            WHERE newest_first > @keep);
        """;

    private readonly SqliteCommand _start;
    private readonly SqliteCommand _end;
    private readonly SqliteCommand _occurrence;
    private readonly SqliteCommand _purge;
    private readonly SqliteCommand _trim;

    public WriterCommands(SqliteConnection connection)
    {
        _start = Create(connection, InsertStartSql);
        SessionRows.AddParameters(_start);
        _end = Create(connection, UpsertEndSql);
        SessionRows.AddParameters(_end);
        _occurrence = Create(connection, RecordOccurrenceSql);
        _occurrence.Parameters.Add("@job_name", SqliteType.Text);
        _occurrence.Parameters.Add("@occurrence", SqliteType.Integer);
        _purge = Create(connection, PurgeSql);
        _purge.Parameters.Add("@ended_before", SqliteType.Integer);
        _trim = Create(connection, TrimSql);
        _trim.Parameters.Add("@running", SqliteType.Integer).Value = (int)JobSessionStatus.Running;
        _trim.Parameters.Add("@keep", SqliteType.Integer);
    }

    /// <summary>Sets the transaction every command runs in; Microsoft.Data.Sqlite requires it while one is open.</summary>
    public void Use(SqliteTransaction? transaction)
    {
        _start.Transaction = transaction;
        _end.Transaction = transaction;
        _occurrence.Transaction = transaction;
        _purge.Transaction = transaction;
        _trim.Transaction = transaction;
    }

    public int RecordStart(JobSession session)
    {
        SessionRows.Bind(_start, session);
        return _start.ExecuteNonQuery();
    }

    public int RecordEnd(JobSession session)
    {
        SessionRows.Bind(_end, session);
        return _end.ExecuteNonQuery();
    }

    public int RecordOccurrence(string jobName, long occurrenceTicks)
    {
        _occurrence.Parameters[0].Value = jobName;
        _occurrence.Parameters[1].Value = occurrenceTicks;
        return _occurrence.ExecuteNonQuery();
    }

    public int Purge(long endedBeforeTicks)
    {
        _purge.Parameters[0].Value = endedBeforeTicks;
        return _purge.ExecuteNonQuery();
    }

    public int Trim(int keep)
    {
        _trim.Parameters[1].Value = keep;
        return _trim.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _start.Dispose();
        _end.Dispose();
        _occurrence.Dispose();
        _purge.Dispose();
        _trim.Dispose();
    }

    private static SqliteCommand Create(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
