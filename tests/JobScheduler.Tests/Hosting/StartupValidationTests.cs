using Microsoft.Extensions.Options;
using static JobScheduler.Tests.Hosting.EmittedJobAssembly;
using static JobScheduler.Tests.Hosting.TestHosts;

namespace JobScheduler.Tests.Hosting;

/// <summary>
/// Bad input fails host start-up with one <see cref="OptionsValidationException"/> that lists every problem, each
/// naming the job, its class and the offending value (DESIGN.md, "Bad input fails fast and says where").
/// </summary>
public sealed class StartupValidationTests
{
    private static readonly string Plain = typeof(PlainJob).FullName!;

    // ---- cron ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("0 61 * * *",    "invalid cron expression '0 61 * * *'",    "Hours")]
    [InlineData("60 * * * *",    "invalid cron expression '60 * * * *'",    "Minutes")]
    [InlineData("0 0 32 * *",    "invalid cron expression '0 0 32 * *'",    "Days of month")]
    [InlineData("not a cron",    "cron expression 'not a cron' has 3 fields", "expected 5")]
    [InlineData("* * * *",       "cron expression '* * * *' has 4 fields",    "expected 5")]
    [InlineData("* * * * * * *", "cron expression '* * * * * * *' has 7 fields", "or 6")]
    [InlineData("@reboot",       "invalid cron expression '@reboot'",       "Macro")]
    [InlineData("H 9 * * *",     "invalid cron expression 'H 9 * * *'",     "seed")]
    [InlineData("   ",           "the cron expression is empty",            "Job 'nightly'")]
    public async Task Start_InvalidCronInCode_FailsNamingJobClassAndExpression(string cron, string expected, string detail)
    {
        var exception = await StartFailureAsync(b => b.AddJob<PlainJob>(cron, j => j.WithName("nightly")));

        var failure = Assert.Single(exception.Failures);
        Assert.StartsWith($"Job 'nightly' ({Plain}): ", failure);
        Assert.Contains(expected, failure);
        Assert.Contains(detail, failure);
        Assert.Equal(typeof(JobSchedulerOptions), exception.OptionsType);
    }

    [Fact]
    public async Task Start_InvalidCronInAttribute_FailsNamingJobClassAndExpression()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.LateReport", Cron("0 61 * * *"));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        var failure = Assert.Single(exception.Failures);
        Assert.StartsWith("Job 'LateReport' (Acme.Jobs.LateReport): invalid cron expression '0 61 * * *'", failure);
    }

    [Fact]
    public async Task Start_InvalidCronInConfiguration_FailsNamingJobClassAndExpression()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly")),
            Config(("JobScheduler:Jobs:nightly:Cron", "not a cron")));

        SingleFailureContaining(exception, "Job 'nightly'", Plain, "'not a cron' has 3 fields");
    }

    // ---- time zone ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Start_UnknownTimeZoneInCode_FailsNamingJobClassAndZone()
    {
        var exception = await StartFailureAsync(b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").InTimeZone("Mars/Olympus")));

        var failure = Assert.Single(exception.Failures);
        Assert.Equal($"Job 'nightly' ({Plain}): unknown time zone 'Mars/Olympus' (use an IANA id such as 'Europe/Berlin' or a Windows id).", failure);
    }

    [Fact]
    public async Task Start_UnknownTimeZoneInAttribute_FailsNamingJobClassAndZone()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.MarsReport", Cron("0 9 * * *", name: "mars-report", timeZone: "Mars/Olympus"));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        SingleFailureContaining(exception, "Job 'mars-report'", "Acme.Jobs.MarsReport", "unknown time zone 'Mars/Olympus'");
    }

    [Fact]
    public async Task Start_UnknownTimeZoneInConfiguration_FailsNamingJobClassAndZone()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").InTimeZone("Europe/Berlin")),
            Config(("JobScheduler:Jobs:nightly:TimeZone", "Mars/Olympus")));

        SingleFailureContaining(exception, "Job 'nightly'", Plain, "unknown time zone 'Mars/Olympus'");
    }

    // ---- timeout ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("-1.00:00:00")]
    public async Task Start_NonPositiveTimeoutInCode_FailsNamingJobClassAndValue(string timeout)
    {
        var exception = await StartFailureAsync(b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").WithTimeout(Span(timeout))));

        Assert.Equal($"Job 'nightly' ({Plain}): timeout '{timeout}' must be positive.", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_NegativeTimeoutAttribute_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(b => b.AddJob<NegativeTimeoutJob>("0 9 * * *"));

        var failure = Assert.Single(exception.Failures);
        Assert.Equal($"Job 'NegativeTimeoutJob' ({typeof(NegativeTimeoutJob).FullName}): timeout '-00:00:01' must be positive.", failure);
    }

    [Fact]
    public async Task Start_ZeroTimeoutAttribute_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(b => b.AddJob<ZeroTimeoutJob>("0 9 * * *"));

        SingleFailureContaining(exception, "Job 'ZeroTimeoutJob'", typeof(ZeroTimeoutJob).FullName!, "timeout '00:00:00' must be positive");
    }

    [Fact]
    public async Task Start_NonPositiveTimeoutInConfiguration_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").WithTimeout(TimeSpan.FromMinutes(1))),
            Config(("JobScheduler:Jobs:nightly:Timeout", "00:00:00")));

        SingleFailureContaining(exception, "Job 'nightly'", Plain, "timeout '00:00:00' must be positive");
    }

    // ---- unparsable attribute time spans ------------------------------------------------------------------------

    [Fact]
    public async Task Start_UnparsableTimeoutAttribute_FailsNamingJobClassAndText()
    {
        var exception = await StartFailureAsync(b => b.AddJob<UnparsableTimeoutJob>("0 9 * * *"));

        var failure = Assert.Single(exception.Failures);
        Assert.Equal(
            $"Job 'UnparsableTimeoutJob' ({typeof(UnparsableTimeoutJob).FullName}): [JobTimeout] timeout 'soon' is not a time span (use hh:mm:ss or d.hh:mm:ss).",
            failure);
    }

    [Fact]
    public async Task Start_UnparsableRetryDelayAttribute_FailsNamingJobClassAndText()
    {
        var exception = await StartFailureAsync(b => b.AddJob<UnparsableRetryDelayJob>("0 9 * * *"));

        SingleFailureContaining(exception, "Job 'UnparsableRetryDelayJob'", typeof(UnparsableRetryDelayJob).FullName!, "[JobRetry] delay 'later' is not a time span");
    }

    [Fact]
    public async Task Start_UnparsableIntervalAttribute_FailsNamingJobClassAndText()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Poller", Interval("often"));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        SingleFailureContaining(exception, "Job 'Poller'", "Acme.Jobs.Poller", "[IntervalJob] interval 'often' is not a time span");
    }

    // ---- retries ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public async Task Start_NegativeRetriesInCode_FailsNamingJobClassAndValue(int retries)
    {
        var exception = await StartFailureAsync(b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").WithRetry(retries)));

        Assert.Equal($"Job 'nightly' ({Plain}): retry count {retries} must be zero or more.", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_NegativeRetriesAttribute_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(b => b.AddJob<NegativeRetriesJob>("0 9 * * *"));

        SingleFailureContaining(exception, "Job 'NegativeRetriesJob'", typeof(NegativeRetriesJob).FullName!, "retry count -2 must be zero or more");
    }

    [Fact]
    public async Task Start_NegativeRetriesInConfiguration_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").WithRetry(3)),
            Config(("JobScheduler:Jobs:nightly:MaxRetries", "-3")));

        SingleFailureContaining(exception, "Job 'nightly'", Plain, "retry count -3 must be zero or more");
    }

    [Fact]
    public async Task Start_NegativeRetryDelayInCode_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").WithRetry(1, TimeSpan.FromSeconds(-5))));

        Assert.Equal($"Job 'nightly' ({Plain}): retry delay '-00:00:05' must not be negative.", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_NegativeRetryDelayAttribute_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(b => b.AddJob<NegativeRetryDelayJob>("0 9 * * *"));

        SingleFailureContaining(exception, "Job 'NegativeRetryDelayJob'", typeof(NegativeRetryDelayJob).FullName!, "retry delay '-00:00:05' must not be negative");
    }

    [Fact]
    public async Task Start_NegativeRetryDelayInConfiguration_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").WithRetry(1)),
            Config(("JobScheduler:Jobs:nightly:RetryDelay", "-00:01:00")));

        SingleFailureContaining(exception, "Job 'nightly'", Plain, "retry delay '-00:01:00' must not be negative");
    }

    [Fact]
    public async Task Start_ZeroRetriesAndZeroDelay_Starts()
    {
        using var host = Build(b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").WithRetry(0, TimeSpan.Zero)));

        await host.StartAsync();
        await host.StopAsync();
    }

    // ---- interval -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:01:00")]
    public async Task Start_NonPositiveIntervalInCode_FailsNamingJobClassAndValue(string interval)
    {
        var exception = await StartFailureAsync(b => b.AddJob<PlainJob>(j => j.WithName("poll").WithInterval(Span(interval))));

        Assert.Equal($"Job 'poll' ({Plain}): interval '{interval}' must be positive.", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_ZeroIntervalAttribute_FailsNamingJobClassAndValue()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Poller", Interval("00:00:00", name: "poll"));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        SingleFailureContaining(exception, "Job 'poll'", "Acme.Jobs.Poller", "interval '00:00:00' must be positive");
    }

    [Fact]
    public async Task Start_NegativeIntervalInConfiguration_FailsNamingJobClassAndValue()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>(j => j.WithName("poll").WithInterval(TimeSpan.FromMinutes(5))),
            Config(("JobScheduler:Jobs:poll:Interval", "-00:01:00")));

        SingleFailureContaining(exception, "Job 'poll'", Plain, "interval '-00:01:00' must be positive");
    }

    // ---- names --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Start_TwoClassesWithTheSameAttributeNameInAnyCase_FailsNamingBothClasses()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.DailyReport", Cron("0 9 * * *", name: "report"));
        jobs.AddClass("Acme.Jobs.WeeklyReport", Cron("0 9 * * 1", name: "REPORT"));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        // Scanning registers classes in full-name order, so the weekly one is the duplicate.
        Assert.Equal(
            "Job 'REPORT' (Acme.Jobs.WeeklyReport): the name is already used by Acme.Jobs.DailyReport; give one of them another name.",
            Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_TwoClassesWithTheSameClassName_FailsAsDuplicateDefaultNames()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Billing.CleanupJob", Cron("0 1 * * *"));
        jobs.AddClass("Acme.Crm.CleanupJob", Cron("0 2 * * *"));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        SingleFailureContaining(exception, "Job 'CleanupJob' (Acme.Crm.CleanupJob)", "already used by Acme.Billing.CleanupJob");
    }

    [Fact]
    public async Task Start_DuplicateNamesInCode_FailsNamingBothClasses()
    {
        var exception = await StartFailureAsync(b => b
            .AddJob<PlainJob>("0 9 * * *", j => j.WithName("sync"))
            .AddJob<OtherJob>("0 10 * * *", j => j.WithName("Sync")));

        SingleFailureContaining(exception, "Job 'Sync'", typeof(OtherJob).FullName!, $"already used by {Plain}");
    }

    [Fact]
    public async Task Start_EmptyName_FailsNamingClass()
    {
        var exception = await StartFailureAsync(b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("  ")));

        SingleFailureContaining(exception, Plain, "the job name is empty");
    }

    // ---- configuration keys -------------------------------------------------------------------------------------

    [Fact]
    public async Task Start_ConfigurationKeyNamingNoJob_FailsListingRegisteredJobs()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("beta")).AddJob<OtherJob>("0 9 * * *", j => j.WithName("alpha")),
            Config(("JobScheduler:Jobs:ghost:Enabled", "false")));

        Assert.Equal(
            "Configuration 'JobScheduler:Jobs:ghost' names no registered job. Registered jobs: alpha, beta.",
            Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_ConfigurationKeyWithNoJobsRegistered_SaysNone()
    {
        var exception = await StartFailureAsync(_ => { }, Config(("JobScheduler:Jobs:ghost:Cron", "0 9 * * *")));

        Assert.Equal("Configuration 'JobScheduler:Jobs:ghost' names no registered job. Registered jobs: none.", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_ConfigurationSetsBothCronAndInterval_FailsNamingBothValues()
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly")),
            Config(("JobScheduler:Jobs:nightly:Cron", "*/5 * * * *"), ("JobScheduler:Jobs:nightly:Interval", "00:10:00")));

        Assert.Equal(
            $"Job 'nightly' ({Plain}): configuration sets both Cron '*/5 * * * *' and Interval '00:10:00'; set one.",
            Assert.Single(exception.Failures));
    }

    [Theory]
    [InlineData("Jobs:nightly:Timeout",    "soon")]
    [InlineData("Jobs:nightly:MaxRetries", "many")]
    [InlineData("Jobs:nightly:Overlap",    "Sometimes")]
    [InlineData("Jobs:nightly:Enabled",    "maybe")]
    [InlineData("MaxConcurrentRuns",       "lots")]
    public async Task Start_UnconvertibleConfigurationValue_FailsNamingKeyAndValue(string key, string value)
    {
        // Not silently ignored: the configuration binder would drop a job's whole entry for one bad value.
        using var host = Build(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly")),
            Config(($"JobScheduler:{key}", value)));

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains($"'JobScheduler:{key}'", exception.Message);
        Assert.Contains($"'{value}'", exception.Message);
    }

    [Theory]
    [InlineData("Overlap", "7",  "overlap policy '7' is not defined")]
    [InlineData("Misfire", "-1", "misfire policy '-1' is not defined")]
    public async Task Start_UndefinedPolicyNumberInConfiguration_FailsNamingJobClassAndValue(string option, string value, string expected)
    {
        var exception = await StartFailureAsync(
            b => b.AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly")),
            Config(($"JobScheduler:Jobs:nightly:{option}", value)));

        SingleFailureContaining(exception, "Job 'nightly'", Plain, expected);
    }

    // ---- classes ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Start_CronJobClassThatIsNotAnIJob_FailsNamingClass()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.NotAJob", [Cron("0 9 * * *")], baseType: typeof(object));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        Assert.Equal(
            "Job 'NotAJob' (Acme.Jobs.NotAJob): the class has a schedule but does not implement JobScheduler.IJob.",
            Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_AbstractCronJobClass_FailsNamingClass()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.ReportBase", [Cron("0 9 * * *", name: "report-base")], isAbstract: true);

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        Assert.Equal(
            "Job 'report-base' (Acme.Jobs.ReportBase): the class is abstract or an open generic and cannot be created.",
            Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Start_ClassWithCronJobAndIntervalJob_FailsNamingClass()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Confused", Cron("0 9 * * *"), Interval("00:05:00"));

        var exception = await StartFailureAsync(b => b.AddJobsFromAssembly(jobs.Assembly));

        Assert.Equal(
            "Job 'Confused' (Acme.Jobs.Confused): has both [CronJob] and [IntervalJob]; use one schedule attribute.",
            Assert.Single(exception.Failures));
    }

    // ---- scheduler options (data annotations) -------------------------------------------------------------------

    [Fact]
    public async Task Start_MaxConcurrentRunsZeroInCode_FailsNamingTheOption()
    {
        var exception = await StartFailureAsync(b => b.Configure(o => o.MaxConcurrentRuns = 0));

        var failure = Assert.Single(exception.Failures);
        Assert.Contains("MaxConcurrentRuns", failure);
        Assert.Contains("between 1 and 100000", failure);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.999")]
    [InlineData("01:00:00.001")]
    [InlineData("1.00:00:00")]
    public async Task Start_MaxTimerWaitOutOfRange_FailsNamingTheOption(string value)
    {
        var exception = await StartFailureAsync(b => b.Configure(o => o.MaxTimerWait = Span(value)));

        var failure = Assert.Single(exception.Failures);
        Assert.Contains("MaxTimerWait", failure);
        Assert.Contains("between 00:00:01 and 01:00:00", failure);
    }

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("01:00:00")]
    public async Task Start_MaxTimerWaitAtEitherBound_Starts(string value)
    {
        using var host = Build(b => b.Configure(o => o.MaxTimerWait = Span(value)));

        await host.StartAsync();
        await host.StopAsync();
    }

    [Theory]
    [InlineData("MaxConcurrentRuns",   "0")]
    [InlineData("MaxConcurrentRuns",   "100001")]
    [InlineData("MaxTimerWait",        "00:00:00.500")]
    [InlineData("MaxTimerWait",        "02:00:00")]
    [InlineData("ShutdownGracePeriod", "-00:00:01")]
    [InlineData("ShutdownGracePeriod", "1.00:00:01")]
    [InlineData("MisfireThreshold",    "00:00:00")]
    [InlineData("MisfireThreshold",    "2.00:00:00")]
    [InlineData("MaxErrorLength",      "255")]
    [InlineData("MaxErrorLength",      "1000001")]
    [InlineData("StoreWriteTimeout",   "00:00:00")]
    [InlineData("StoreWriteTimeout",   "01:00:01")]
    [InlineData("MaxBufferedWrites",   "0")]
    [InlineData("SessionRetention",    "00:00:00")]
    [InlineData("MaxSessionsPerJob",   "0")]
    public async Task Start_OptionOutOfRangeInConfiguration_FailsNamingTheOption(string option, string value)
    {
        var exception = await StartFailureAsync(_ => { }, Config(($"JobScheduler:{option}", value)));

        var failure = Assert.Single(exception.Failures);
        Assert.Contains(option, failure);
        Assert.Contains("must be between", failure);
    }

    [Fact]
    public async Task Start_EmptyInstanceId_FailsNamingTheOption()
    {
        var exception = await StartFailureAsync(b => b.Configure(o => o.InstanceId = ""));

        Assert.Contains("InstanceId", Assert.Single(exception.Failures));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public async Task Start_InMemoryStoreBoundOutOfRange_FailsNamingTheOption(int maxSessionsPerJob)
    {
        using var host = Build(b => b.UseInMemoryStore(o => o.MaxSessionsPerJob = maxSessionsPerJob));

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(typeof(InMemorySessionStoreOptions), exception.OptionsType);
        Assert.Contains("MaxSessionsPerJob", Assert.Single(exception.Failures));
    }

    // ---- everything at once -------------------------------------------------------------------------------------

    [Fact]
    public async Task Start_ManyBadJobs_ThrowsOneExceptionListingEveryProblem()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.NotAJob", [Cron("0 9 * * *")], baseType: typeof(object));
        jobs.AddClass("Acme.Jobs.Confused", Cron("0 9 * * *"), Interval("00:05:00"));

        var exception = await StartFailureAsync(
            b => b
                .AddJobsFromAssembly(jobs.Assembly)
                .AddJob<PlainJob>("0 61 * * *", j => j.WithName("bad-cron"))
                .AddJob<PlainJob>("0 9 * * *", j => j.WithName("bad-zone").InTimeZone("Mars/Olympus"))
                .AddJob<NegativeTimeoutJob>("0 9 * * *")
                .AddJob<UnparsableTimeoutJob>("0 9 * * *")
                .AddJob<PlainJob>("0 9 * * *", j => j.WithName("bad-retry").WithRetry(-1, TimeSpan.FromSeconds(-5)))
                .AddJob<PlainJob>(j => j.WithName("bad-interval").WithInterval(TimeSpan.Zero))
                .AddJob<OtherJob>("0 9 * * *", j => j.WithName("BAD-CRON"))
                .AddJob<PlainJob>("0 9 * * *", j => j.WithName("good"))
                .AddJob<PlainJob>("0 9 * * *", j => j.WithName("both"))
                .Configure(o => o.MaxConcurrentRuns = 0),
            Config(
                ("JobScheduler:Jobs:ghost:Enabled", "false"),
                ("JobScheduler:Jobs:both:Cron", "0 8 * * *"),
                ("JobScheduler:Jobs:both:Interval", "01:00:00")));

        Assert.Equal(13, exception.Failures.Count());
        SingleFailureContaining(exception, "Job 'NotAJob' (Acme.Jobs.NotAJob)", "does not implement JobScheduler.IJob");
        SingleFailureContaining(exception, "Job 'Confused' (Acme.Jobs.Confused)", "[CronJob] and [IntervalJob]");
        SingleFailureContaining(exception, $"Job 'bad-cron' ({Plain})", "'0 61 * * *'");
        SingleFailureContaining(exception, $"Job 'bad-zone' ({Plain})", "'Mars/Olympus'");
        SingleFailureContaining(exception, $"Job 'NegativeTimeoutJob' ({typeof(NegativeTimeoutJob).FullName})", "timeout '-00:00:01'");
        SingleFailureContaining(exception, $"Job 'UnparsableTimeoutJob' ({typeof(UnparsableTimeoutJob).FullName})", "timeout 'soon'");
        SingleFailureContaining(exception, $"Job 'bad-retry' ({Plain})", "retry count -1");
        SingleFailureContaining(exception, $"Job 'bad-retry' ({Plain})", "retry delay '-00:00:05'");
        SingleFailureContaining(exception, $"Job 'bad-interval' ({Plain})", "interval '00:00:00'");
        SingleFailureContaining(exception, $"Job 'BAD-CRON' ({typeof(OtherJob).FullName})", $"already used by {Plain}");
        SingleFailureContaining(exception, $"Job 'both' ({Plain})", "Cron '0 8 * * *' and Interval '01:00:00'");
        SingleFailureContaining(exception, "'JobScheduler:Jobs:ghost' names no registered job", "bad-cron", "good");
        SingleFailureContaining(exception, "MaxConcurrentRuns");
        Assert.DoesNotContain(exception.Failures, f => f.Contains("'good'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ValidJobs_Starts()
    {
        using var host = Build(b => b
            .AddJob<PlainJob>("0 9 * * *", j => j.WithName("nightly").InTimeZone("Europe/Berlin").WithTimeout(TimeSpan.FromMinutes(1)).WithRetry(2))
            .AddJob<OtherJob>(j => j.WithInterval(TimeSpan.FromMinutes(5))));

        await host.StartAsync();
        await host.StopAsync();
    }

    private sealed class PlainJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class OtherJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [JobTimeout("-00:00:01")]
    private sealed class NegativeTimeoutJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [JobTimeout("00:00:00")]
    private sealed class ZeroTimeoutJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [JobTimeout("soon")]
    private sealed class UnparsableTimeoutJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [JobRetry(-2)]
    private sealed class NegativeRetriesJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [JobRetry(1, Delay = "-00:00:05")]
    private sealed class NegativeRetryDelayJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [JobRetry(1, Delay = "later")]
    private sealed class UnparsableRetryDelayJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
