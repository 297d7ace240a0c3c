using Microsoft.Extensions.Logging;
using static JobScheduler.PostgreSql.Diagnostics.PostgreSqlEventIds;

namespace JobScheduler.PostgreSql.Diagnostics;

/// <summary>Every log message of the PostgreSQL store, declared once through the LoggerMessage source generator.</summary>
internal static partial class Log
{
    [LoggerMessage(SchemaMigrated, LogLevel.Information, "PostgreSQL schema {Schema} migrated from version {FromVersion} to {ToVersion}")]
    public static partial void SchemaMigratedMessage(ILogger logger, string schema, int fromVersion, int toVersion);

    [LoggerMessage(WriteBatchFailed, LogLevel.Debug, "A batch of {Count} session writes to PostgreSQL failed; writing them one by one so each caller sees its own outcome")]
    public static partial void WriteBatchFailedMessage(ILogger logger, Exception exception, int count);

    [LoggerMessage(WriterFault, LogLevel.Error, "The PostgreSQL session writer failed unexpectedly; pending writes were failed")]
    public static partial void WriterFaultMessage(ILogger logger, Exception exception);
}
