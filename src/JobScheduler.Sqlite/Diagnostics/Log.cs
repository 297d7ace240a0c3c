using Microsoft.Extensions.Logging;
using static JobScheduler.Sqlite.Diagnostics.SqliteEventIds;

namespace JobScheduler.Sqlite.Diagnostics;

/// <summary>Every log message of the SQLite store, declared once through the LoggerMessage source generator.</summary>
internal static partial class Log
{
    [LoggerMessage(SchemaMigrated, LogLevel.Information, "SQLite session store {DataSource}: applied schema migration {Version} ({Description})")]
    public static partial void SchemaMigratedMessage(ILogger logger, string dataSource, int version, string description);

    [LoggerMessage(SchemaNewerThanKnown, LogLevel.Error, "SQLite session store {DataSource} has schema version {FoundVersion}, newer than version {KnownVersion} that this library knows")]
    public static partial void SchemaNewerThanKnownMessage(ILogger logger, string dataSource, int foundVersion, int knownVersion);

    [LoggerMessage(JournalModeNotWal, LogLevel.Warning, "SQLite session store {DataSource} runs in journal mode '{JournalMode}', not WAL: readers and the writer will block each other")]
    public static partial void JournalModeNotWalMessage(ILogger logger, string dataSource, string journalMode);

    [LoggerMessage(OptimizeFailed, LogLevel.Debug, "SQLite session store {DataSource}: PRAGMA optimize failed at close; the query planner keeps its old statistics")]
    public static partial void OptimizeFailedMessage(ILogger logger, Exception exception, string dataSource);

    [LoggerMessage(WriteRejected, LogLevel.Warning, "SQLite session store {DataSource}: the write ({Operation}) failed and was left out of its batch; the rest of the batch was committed")]
    public static partial void WriteRejectedMessage(ILogger logger, Exception exception, string dataSource, string operation);

    [LoggerMessage(BatchFailed, LogLevel.Warning, "SQLite session store {DataSource}: a batch of {Count} writes failed; every caller sees the error")]
    public static partial void BatchFailedMessage(ILogger logger, Exception exception, string dataSource, int count);

    [LoggerMessage(WriterFault, LogLevel.Critical, "SQLite session store {DataSource}: the background writer stopped unexpectedly; later writes fail")]
    public static partial void WriterFaultMessage(ILogger logger, Exception exception, string dataSource);
}
