using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace JobScheduler.Sqlite.Sessions;

/// <summary>Maps <see cref="JobSession"/> to and from a row of the <c>sessions</c> table.</summary>
internal static class SessionRows
{
    /// <summary>The columns every session query selects, in the order <see cref="Read"/> reads them.</summary>
    public const string Columns =
        "id, job_name, trigger_kind, scheduled_at, started_at, ended_at, duration, status, attempt, error, instance_id, metadata";

    /// <summary>The parameters <see cref="Bind"/> sets, in column order.</summary>
    public const string Parameters =
        "@id, @job_name, @trigger_kind, @scheduled_at, @started_at, @ended_at, @duration, @status, @attempt, @error, @instance_id, @metadata";

    // Non-ASCII text stays readable in the file (the column is never embedded in HTML).
    private static readonly MetadataJsonContext Json = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Adds the parameters of <see cref="Parameters"/> to a command, once; <see cref="Bind"/> fills them per row.</summary>
    public static void AddParameters(SqliteCommand command)
    {
        command.Parameters.Add("@id", SqliteType.Text);
        command.Parameters.Add("@job_name", SqliteType.Text);
        command.Parameters.Add("@trigger_kind", SqliteType.Integer);
        command.Parameters.Add("@scheduled_at", SqliteType.Integer);
        command.Parameters.Add("@started_at", SqliteType.Integer);
        command.Parameters.Add("@ended_at", SqliteType.Integer);
        command.Parameters.Add("@duration", SqliteType.Integer);
        command.Parameters.Add("@status", SqliteType.Integer);
        command.Parameters.Add("@attempt", SqliteType.Integer);
        command.Parameters.Add("@error", SqliteType.Text);
        command.Parameters.Add("@instance_id", SqliteType.Text);
        command.Parameters.Add("@metadata", SqliteType.Text);
    }

    /// <summary>Sets the parameters added by <see cref="AddParameters"/> to <paramref name="session"/>'s values.</summary>
    public static void Bind(SqliteCommand command, JobSession session)
    {
        var p = command.Parameters;
        p[0].Value = FormatId(session.Id);
        p[1].Value = session.JobName;
        p[2].Value = (int)session.Trigger;
        p[3].Value = session.ScheduledAt.UtcTicks;
        p[4].Value = session.StartedAt.UtcTicks;
        p[5].Value = session.EndedAt is { } ended ? ended.UtcTicks : DBNull.Value;
        p[6].Value = session.Duration is { } duration ? duration.Ticks : DBNull.Value;
        p[7].Value = (int)session.Status;
        p[8].Value = session.Attempt;
        p[9].Value = (object?)session.Error ?? DBNull.Value;
        p[10].Value = (object?)session.InstanceId ?? DBNull.Value;
        p[11].Value = session.Metadata is { Count: > 0 } metadata
            ? JsonSerializer.Serialize(metadata, Json.IReadOnlyDictionaryStringString)
            : DBNull.Value;
    }

    /// <summary>Reads a row selected with <see cref="Columns"/>.</summary>
    public static JobSession Read(SqliteDataReader reader) => new()
    {
        Id = Guid.ParseExact(reader.GetString(0), "D"),
        JobName = reader.GetString(1),
        Trigger = (JobTrigger)reader.GetInt32(2),
        ScheduledAt = FromTicks(reader.GetInt64(3)),
        StartedAt = FromTicks(reader.GetInt64(4)),
        EndedAt = reader.IsDBNull(5) ? null : FromTicks(reader.GetInt64(5)),
        Duration = reader.IsDBNull(6) ? null : TimeSpan.FromTicks(reader.GetInt64(6)),
        Status = (JobSessionStatus)reader.GetInt32(7),
        Attempt = reader.GetInt32(8),
        Error = reader.IsDBNull(9) ? null : reader.GetString(9),
        InstanceId = reader.IsDBNull(10) ? null : reader.GetString(10),
        Metadata = reader.IsDBNull(11) ? ReadOnlyDictionary<string, string>.Empty : ReadMetadata(reader.GetString(11)),
    };

    /// <summary>Formats a session id as stored: lower-case, hyphenated (<c>D</c>).</summary>
    public static string FormatId(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    public static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static ReadOnlyDictionary<string, string> ReadMetadata(string json)
        => new(JsonSerializer.Deserialize(json, Json.DictionaryStringString) ?? new Dictionary<string, string>(StringComparer.Ordinal));
}
