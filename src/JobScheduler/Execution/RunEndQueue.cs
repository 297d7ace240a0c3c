namespace JobScheduler.Execution;

/// <summary>
/// The end of runs whose only attempt succeeded: their ended session built, logged, counted and written, and the
/// dispatcher's <see cref="RunDispatcher.Complete"/>, all done on the thread pool behind the work already queued there.
/// </summary>
/// <remarks>
/// <para>
/// When many runs are due at once the timer queues them all on the thread pool, and a worker that recorded each run's
/// end before it took the next run made every start wait for the bookkeeping of the runs before it. Queued here, a
/// run's end waits instead for the starts queued before it, and a burst's runs start sooner for the same work
/// (docs/performance.md, fifteenth round).
/// </para>
/// <para>
/// Nothing about the run itself moves: its end time is taken and its <see cref="JobSchedulerOptions.MaxConcurrentRuns"/>
/// slot freed when the job returns; only the writing waits, a few milliseconds in a burst. Runs are linked through
/// <see cref="JobRun.NextEnded"/>, so adding one allocates nothing. The first run added to an empty queue schedules a
/// drain, which takes every run queued by then and finishes them oldest first; a run added after that schedules the
/// next drain, which may run beside it.
/// </para>
/// </remarks>
internal sealed class RunEndQueue : IThreadPoolWorkItem
{
    private JobRun? _newest;

    public void Add(JobRun run)
    {
        JobRun? newest;
        do
        {
            newest = Volatile.Read(ref _newest);
            run.NextEnded = newest;
        }
        while (Interlocked.CompareExchange(ref _newest, run, newest) != newest);

        if (newest is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Taken newest first; turned around so that runs are finished in the order they ended.
        var run = Interlocked.Exchange(ref _newest, null);
        JobRun? oldest = null;
        while (run is not null)
        {
            var next = run.NextEnded;
            run.NextEnded = oldest;
            oldest = run;
            run = next;
        }

        while (oldest is not null)
        {
            var next = oldest.NextEnded;
            oldest.NextEnded = null;
            _ = oldest.Runner.FinishEndedRunAsync(oldest); // never faults; a store that writes later finishes it later
            oldest = next;
        }
    }
}
