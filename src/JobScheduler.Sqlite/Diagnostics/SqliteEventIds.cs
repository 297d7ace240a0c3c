namespace JobScheduler.Sqlite.Diagnostics;

/// <summary>
/// Event ids of the SQLite store's log messages, in the 2000 range (the core scheduler uses 1000–1999). Never renumber:
/// operators filter and alert on them.
/// </summary>
internal static class SqliteEventIds
{
    public const int SchemaMigrated = 2000;
    public const int SchemaNewerThanKnown = 2001;
    public const int JournalModeNotWal = 2002;
    public const int OptimizeFailed = 2003;
    public const int WriteRejected = 2010;
    public const int BatchFailed = 2011;
    public const int WriterFault = 2012;
}
