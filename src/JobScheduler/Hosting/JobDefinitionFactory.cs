using JobScheduler.Scheduling;

namespace JobScheduler.Hosting;

/// <summary>
/// Merges registrations with configuration overrides into validated <see cref="JobDefinition"/>s, collecting every
/// problem (each naming the job, its class and the bad value) instead of stopping at the first.
/// </summary>
internal static class JobDefinitionFactory
{
    public static List<JobDefinition> CreateAll(IEnumerable<JobRegistration> registrations, JobSchedulerOptions options, List<string> problems)
    {
        var definitions = new List<JobDefinition>();
        var classesByName = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var registration in registrations)
        {
            var name = registration.EffectiveName;
            if (classesByName.TryGetValue(name, out var existing))
            {
                problems.Add($"Job '{name}' ({registration.JobType.FullName}): the name is already used by {existing.FullName}; give one of them another name.");
                continue;
            }

            classesByName.Add(name, registration.JobType);
            options.Jobs.TryGetValue(name, out var overrides);
            if (TryCreate(registration, overrides, problems) is { } definition)
            {
                definitions.Add(definition);
            }
        }

        foreach (var configured in options.Jobs.Keys)
        {
            if (!classesByName.ContainsKey(configured))
            {
                var known = classesByName.Count == 0 ? "none" : string.Join(", ", classesByName.Keys.Order(StringComparer.OrdinalIgnoreCase));
                problems.Add($"Configuration '{JobSchedulerDefaults.ConfigurationSection}:Jobs:{configured}' names no registered job. Registered jobs: {known}.");
            }
        }

        return definitions;
    }

    /// <summary>Validates one registration; returns <see langword="null"/> and adds to <paramref name="problems"/> when invalid.</summary>
    public static JobDefinition? TryCreate(JobRegistration registration, JobOptions? overrides, List<string> problems)
    {
        var name = registration.EffectiveName;
        var type = registration.JobType;
        var before = problems.Count;
        void Problem(string text) => problems.Add($"Job '{name}' ({type.FullName}): {text.TrimEnd('.')}.");

        foreach (var problem in registration.Problems)
        {
            Problem(problem);
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            Problem("the job name is empty");
        }

        if (!typeof(IJob).IsAssignableFrom(type))
        {
            Problem($"the class has a schedule but does not implement {typeof(IJob).FullName}");
        }
        else if (type.IsAbstract || type.IsInterface || type.ContainsGenericParameters)
        {
            Problem("the class is abstract or an open generic and cannot be created");
        }

        var cron = registration.Cron;
        var interval = registration.Interval;
        if (overrides?.Cron is not null && overrides.Interval is not null)
        {
            Problem($"configuration sets both Cron '{overrides.Cron}' and Interval '{overrides.Interval}'; set one");
        }
        else if (overrides?.Cron is not null)
        {
            (cron, interval) = (overrides.Cron, null);
        }
        else if (overrides?.Interval is not null)
        {
            (cron, interval) = (null, overrides.Interval);
        }

        var timeZoneId = overrides?.TimeZone ?? registration.TimeZone ?? JobSchedulerDefaults.TimeZoneId;
        if (!TimeZoneResolver.TryFind(timeZoneId, out var zone, out var zoneError))
        {
            Problem(zoneError);
        }

        JobSchedule? schedule = null;
        if (cron is not null)
        {
            if (!CronExpressionParser.TryParse(cron, out var expression, out var cronError))
            {
                Problem(cronError);
            }
            else if (zone is not null)
            {
                schedule = SharedCronSchedules.Get(expression, zone, cron.Trim());
            }
        }
        else if (interval is { } every)
        {
            if (every <= TimeSpan.Zero)
            {
                Problem($"interval '{every}' must be positive");
            }
            else
            {
                schedule = new IntervalSchedule(every);
            }
        }

        var timeout = overrides?.Timeout ?? registration.Timeout;
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            Problem($"timeout '{t}' must be positive");
        }

        var maxRetries = overrides?.MaxRetries ?? registration.MaxRetries;
        if (maxRetries < 0)
        {
            Problem($"retry count {maxRetries} must be zero or more");
        }

        var retryDelay = overrides?.RetryDelay ?? registration.RetryDelay;
        if (retryDelay < TimeSpan.Zero)
        {
            Problem($"retry delay '{retryDelay}' must not be negative");
        }

        var overlap = overrides?.Overlap ?? registration.Overlap;
        var misfire = overrides?.Misfire ?? registration.Misfire;
        var backoff = registration.Backoff;
        if (!Enum.IsDefined(overlap))
        {
            Problem($"overlap policy '{overlap}' is not defined");
        }

        if (!Enum.IsDefined(misfire))
        {
            Problem($"misfire policy '{misfire}' is not defined");
        }

        if (!Enum.IsDefined(backoff))
        {
            Problem($"retry backoff '{backoff}' is not defined");
        }

        if (problems.Count != before)
        {
            return null;
        }

        return new JobDefinition
        {
            Name = name,
            JobType = type,
            Schedule = schedule,
            TimeZoneId = timeZoneId,
            Timeout = timeout,
            MaxRetries = maxRetries,
            RetryDelay = retryDelay,
            Backoff = backoff,
            UseJitter = registration.UseJitter,
            Overlap = overlap,
            Misfire = misfire,
            RunOnStartup = registration.RunOnStartup,
            Enabled = overrides?.Enabled ?? true,
        };
    }
}
