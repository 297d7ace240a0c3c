using System.Buffers;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace JobScheduler.PostgreSql.Sessions;

/// <summary>Maps a <see cref="JobSession"/> to the parameters of a sessions row and a row back to a session.</summary>
internal static class SessionRows
{
    private const char Replacement = '\uFFFD';

    /// <summary>Adds the twelve parameters of <see cref="SessionSql.Columns"/>, in order.</summary>
    public static void Bind(NpgsqlParameterCollection parameters, JobSession session)
    {
        parameters.Add(new NpgsqlParameter<Guid> { TypedValue = session.Id });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = Clean(session.JobName) });
        parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)session.Trigger });
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = session.ScheduledAt.ToUniversalTime() });
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = session.StartedAt.ToUniversalTime() });
        parameters.Add(Nullable(NpgsqlDbType.TimestampTz, session.EndedAt?.ToUniversalTime()));
        parameters.Add(Nullable(NpgsqlDbType.Bigint, session.Duration is { } duration ? duration.Ticks / TimeSpan.TicksPerMicrosecond : null));
        parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)session.Status });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = session.Attempt });
        parameters.Add(Nullable(NpgsqlDbType.Text, Clean(session.Error)));
        parameters.Add(Nullable(NpgsqlDbType.Text, Clean(session.InstanceId)));
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = ToJson(session.Metadata) });
    }

    /// <summary>Reads a row selected with <see cref="SessionSql.Columns"/>.</summary>
    public static JobSession Read(NpgsqlDataReader reader)
    {
        var session = new JobSession
        {
            Id = reader.GetGuid(0),
            JobName = reader.GetString(1),
            Trigger = (JobTrigger)reader.GetInt16(2),
            ScheduledAt = reader.GetFieldValue<DateTimeOffset>(3),
            StartedAt = reader.GetFieldValue<DateTimeOffset>(4),
            EndedAt = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            Duration = reader.IsDBNull(6) ? null : TimeSpan.FromTicks(reader.GetInt64(6) * TimeSpan.TicksPerMicrosecond),
            Status = (JobSessionStatus)reader.GetInt16(7),
            Attempt = reader.GetInt32(8),
            Error = reader.IsDBNull(9) ? null : reader.GetString(9),
            InstanceId = reader.IsDBNull(10) ? null : reader.GetString(10),
        };

        var metadata = FromJson(reader.GetString(11));
        return metadata is null ? session : session with { Metadata = metadata };
    }

    /// <summary>
    /// Makes text storable: PostgreSQL text cannot hold NUL (the server rejects the whole statement, so a retried write
    /// would fail forever), and UTF-8 cannot encode a lone surrogate (an error message cut in the middle of a pair has
    /// one; the encoder would write garbage for it). Each such character becomes one U+FFFD.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Clean(string? text)
    {
        if (text is null || IsStorable(text))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                if (c == '\0')
                {
                    span[i] = Replacement;
                }
                else if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
                {
                    span[i] = c;
                    span[++i] = source[i];
                }
                else
                {
                    span[i] = char.IsSurrogate(c) ? Replacement : c;
                }
            }
        });
    }

    private static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }

    private static NpgsqlParameter Nullable(NpgsqlDbType type, object? value)
        => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };

    private static string ToJson(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == 0)
        {
            return "{}";
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in metadata)
            {
                writer.WriteString(Clean(key), Clean(value));
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Dictionary<string, string>? FromJson(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read(); // StartObject
        Dictionary<string, string>? metadata = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            var value = reader.TokenType == JsonTokenType.String ? reader.GetString()! : RawText(ref reader);
            (metadata ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
        }

        return metadata;
    }

    /// <summary>A value someone stored that is not a string (the store writes only strings) is returned as its JSON text.</summary>
    private static string RawText(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }
}
