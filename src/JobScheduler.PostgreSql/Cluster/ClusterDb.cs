using Npgsql;

namespace JobScheduler.PostgreSql.Cluster;

/// <summary>Builds the cluster's commands: typed parameters, UTC times (Npgsql writes timestamptz from offset 0 only).</summary>
internal static class ClusterDb
{
    public static NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction? transaction, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    public static NpgsqlParameter<int> Int(int value) => new() { TypedValue = value };

    public static NpgsqlParameter<Guid> Id(Guid value) => new() { TypedValue = value };

    public static NpgsqlParameter<DateTimeOffset> Time(DateTimeOffset value) => new() { TypedValue = value.ToUniversalTime() };

    public static NpgsqlParameter<string[]> Texts(string[] values) => new() { TypedValue = values };

    public static NpgsqlParameter<Guid[]> Ids(Guid[] values) => new() { TypedValue = values };

    public static NpgsqlParameter<DateTimeOffset[]> Times(DateTimeOffset[] values) => new() { TypedValue = values };
}
