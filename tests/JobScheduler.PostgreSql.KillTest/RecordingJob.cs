using Npgsql;
using NpgsqlTypes;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>
/// The job body of every test job: lasts <see cref="WorkerSettings.JobDuration"/> and writes one row to the results
/// table at a random point inside it. A kill before the write leaves the occurrence without a row (lost unless it is
/// run again); a kill after it leaves a row whose session is Abandoned (a re-run writes a second row).
/// </summary>
internal sealed class RecordingJob(NpgsqlDataSource dataSource, WorkerSettings settings) : IJob
{
    public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        var total = settings.JobDuration;
        var before = total * Random.Shared.NextDouble();
        await Task.Delay(before, cancellationToken);

        await using (var command = dataSource.CreateCommand(
            $"""
            INSERT INTO {KillTestDatabase.ResultsSchema}.results (job_name, occurrence, instance_id, pid, session_id, trigger, attempt)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = context.JobName });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = context.ScheduledAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = settings.InstanceId });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.SessionId });
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)context.Trigger });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = context.Attempt });

            // Not cancelled with the run: once started, the row is written or the process is gone.
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await Task.Delay(total - before, cancellationToken);
    }
}
