namespace JobScheduler.Diagnostics;

/// <summary>Event ids of every log message. Never renumber: operators filter and alert on them.</summary>
internal static class JobSchedulerEventIds
{
    public const int SchedulerStarted = 1000;
    public const int JobScheduled = 1001;
    public const int JobNeverFires = 1002;
    public const int JobDisabled = 1003;
    public const int RunStarted = 1010;
    public const int RunSucceeded = 1011;
    public const int RunFailed = 1012;
    public const int RunTimedOut = 1013;
    public const int RunCancelled = 1014;
    public const int RunSkipped = 1015;
    public const int RunQueued = 1016;
    public const int RetryScheduled = 1017;
    public const int TimeoutElapsed = 1018;
    public const int TimeoutIgnored = 1019;
    public const int OccurrencesMissed = 1020;
    public const int CatchUpRun = 1021;
    public const int JobPaused = 1030;
    public const int JobResumed = 1031;
    public const int JobRescheduled = 1032;
    public const int JobAdded = 1033;
    public const int JobRemoved = 1034;
    public const int SessionsAbandoned = 1040;
    public const int StoreWriteFailed = 1041;
    public const int ObserverFailed = 1042;
    public const int StoreWritesDropped = 1043;
    public const int StoreRecovered = 1044;
    public const int StoreStillFailing = 1045;
    public const int StoreWritesLostAtShutdown = 1046;
    public const int SessionsPurged = 1047;
    public const int RetentionFailed = 1048;
    public const int SchedulerStopping = 1050;
    public const int RunsCancelledAtShutdown = 1051;
    public const int RunIgnoredShutdown = 1052;
    public const int SchedulerFault = 1060;
    public const int OccurrenceClaimedElsewhere = 1070;
    public const int OccurrenceNotClaimed = 1071;
    public const int TakenOverRun = 1072;
    public const int CoordinationCatchUp = 1073;
}
