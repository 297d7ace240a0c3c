namespace JobScheduler;

/// <summary>Why a run was started.</summary>
public enum JobTrigger
{
    /// <summary>An occurrence of the job's schedule, a one-off time from <see cref="IJobScheduler.ScheduleOnceAsync"/>, or a start-up run.</summary>
    Scheduled,

    /// <summary>An explicit request through <see cref="IJobScheduler.TriggerAsync"/>.</summary>
    Manual,

    /// <summary>One run that replaces the occurrences missed while the scheduler was not running (<see cref="MisfirePolicy.RunOnce"/>).</summary>
    CatchUp,
}
