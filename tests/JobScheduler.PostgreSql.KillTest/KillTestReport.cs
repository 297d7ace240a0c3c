using System.Globalization;
using System.Text;
using System.Text.Json;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>What the kill test measured; printed as a markdown table and written as JSON for the test that runs it in CI.</summary>
internal sealed class KillTestReport
{
    public DateTimeOffset From { get; init; }

    public DateTimeOffset To { get; init; }

    public bool HasClaims { get; init; }

    public string Parameters { get; set; } = "";

    public long Expected { get; set; }

    public long ExpectedRunOnce { get; set; }

    public long Executed { get; set; }

    public long Duplicated { get; set; }

    public long DuplicatedAfterKill { get; set; }

    public long DuplicatedWithoutKill { get; set; }

    public long LostRunOnce { get; set; }

    public long LostRunOnceTakeoversUsedUp { get; set; }

    public long LostSkip { get; set; }

    public long LostSkipAfterKill { get; set; }

    public long LostRecordedSkipped { get; set; }

    public long LostUnclaimed { get; set; }

    public long RerunMoreThanOnce { get; set; }

    public long CatchUpWithoutAbandoned { get; set; }

    public long Sessions { get; set; }

    public long RunningAfterStop { get; set; }

    public long AbandonedSessions { get; set; }

    public long CatchUpSessions { get; set; }

    public string SessionsByStatus { get; set; } = "";

    public string ExecutionsByInstance { get; set; } = "";

    public long ResultRows { get; set; }

    public long Claims { get; set; }

    public long ClaimsUnfinished { get; set; }

    public long ClaimsTakenOver { get; set; }

    public long ClaimTakeovers { get; set; }

    public int KillsSkipped { get; set; }

    public List<string> UnexpectedExits { get; } = [];

    public int StopsForced { get; set; }

    public List<KillOutcome> Kills { get; } = [];

    public List<string> Anomalies { get; } = [];

    public int KillsDone => Kills.Count;

    public long AbandonedSessionsAfterKills => Kills.Sum(k => k.Abandoned);

    public long AbandonedRunOnceNotRerun => Kills.Sum(k => k.NotRerun);

    public long AbandonedCatchUpsNotRerun => Kills.Sum(k => k.NotRerunCatchUps);

    public int KillsWithAbandonedRunOnce => Kills.Count(k => k.AbandonedRunOnce > 0);

    /// <summary>Gets the kills whose abandoned RunOnce occurrences were run again (the takeover times).</summary>
    public int Takeovers => TakeoverTimes.Count;

    public double? TakeoverP50Ms => Percentile(TakeoverTimes, 0.5);

    public double? TakeoverMaxMs => TakeoverTimes.Count == 0 ? null : TakeoverTimes.Max();

    public double? AbandonMarkedP50Ms => Percentile([.. Kills.Where(k => k.AbandonedMarkedMs is not null).Select(k => k.AbandonedMarkedMs!.Value)], 0.5);

    public double? AbandonMarkedMaxMs => Kills.Where(k => k.AbandonedMarkedMs is not null).Select(k => k.AbandonedMarkedMs).Max();

    /// <summary>Gets whether the guarantees held: nothing ran twice without a kill, and no RunOnce occurrence was lost.</summary>
    // The guarantees of docs/clustering.md: no duplicate without a kill; a RunOnce occurrence is lost only when all its takeover runs were killed too.
    public bool Passed => DuplicatedWithoutKill == 0 && LostRunOnce == LostRunOnceTakeoversUsedUp;

    private List<double> TakeoverTimes => [.. Kills.Where(k => k.FirstRerunMs is not null).Select(k => k.FirstRerunMs!.Value)];

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        void Row(string measure, object value) => text.Append(CultureInfo.InvariantCulture, $"| {measure} | {value} |\n");
        static string Ms(double? ms) => ms is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v / 1000:0.0} s") : "–";

        text.Append(CultureInfo.InvariantCulture, $"Kill test: {Parameters}\n\n");
        text.Append("| Measure | Value |\n|---|---|\n");
        Row("Window checked (UTC)", string.Create(CultureInfo.InvariantCulture, $"{From:yyyy-MM-dd HH:mm:ss} – {To:HH:mm:ss} ({(To - From).TotalSeconds:0} s)"));
        Row("Occurrences expected", string.Create(CultureInfo.InvariantCulture, $"{Expected} ({ExpectedRunOnce} RunOnce, {Expected - ExpectedRunOnce} Skip)"));
        Row("Executed (distinct job, occurrence)", Executed);
        Row("Duplicated", Duplicated);
        Row("– re-run after a kill (RunOnce, at-least-once)", DuplicatedAfterKill);
        Row("– **duplicated without a kill** (bug)", DuplicatedWithoutKill);
        Row("Lost, **RunOnce** jobs", string.Create(CultureInfo.InvariantCulture, $"{LostRunOnce} ({LostRunOnceTakeoversUsedUp} whose every takeover run was killed too: {KillTestJobs.MaxTakeovers} takeovers per occurrence)"));
        Row("Lost, Skip jobs", string.Create(CultureInfo.InvariantCulture, $"{LostSkip} ({LostSkipAfterKill} running or claimed on a killed instance, {LostSkip - LostSkipAfterKill} without a kill)"));
        Row("– of all lost: recorded Skipped (overlap)", LostRecordedSkipped);
        Row("– of all lost: never claimed", HasClaims ? LostUnclaimed : "no claims table");
        Row("Kills (SIGKILL)", string.Create(CultureInfo.InvariantCulture, $"{KillsDone} ({KillsSkipped} skipped: fewer than 2 workers up, or none to pick)"));
        Row("Abandoned sessions", string.Create(CultureInfo.InvariantCulture, $"{AbandonedSessions} ({AbandonedSessionsAfterKills} matched to a kill)"));
        Row("Kill to Abandoned recorded (p50 / max)", $"{Ms(AbandonMarkedP50Ms)} / {Ms(AbandonMarkedMaxMs)}");
        Row("Takeovers: kill to first CatchUp re-run (count, p50, max)", string.Create(CultureInfo.InvariantCulture, $"{Takeovers} of {KillsWithAbandonedRunOnce} kills with RunOnce runs in flight, p50 {Ms(TakeoverP50Ms)}, max {Ms(TakeoverMaxMs)}"));
        Row("Abandoned RunOnce runs never re-run", string.Create(CultureInfo.InvariantCulture, $"{AbandonedRunOnceNotRerun} ({AbandonedCatchUpsNotRerun} were catch-up runs themselves)"));
        Row("Occurrences re-run more than once", RerunMoreThanOnce);
        Row("CatchUp sessions (whole run)", string.Create(CultureInfo.InvariantCulture, $"{CatchUpSessions} ({CatchUpWithoutAbandoned} for window occurrences without an Abandoned session: claimed, never started)"));
        Row("Sessions by status (whole run)", SessionsByStatus);
        Row("Sessions still Running after the stop", RunningAfterStop);
        if (HasClaims)
        {
            Row("Claims (unfinished, taken over / takeovers)", string.Create(CultureInfo.InvariantCulture, $"{Claims} ({ClaimsUnfinished} unfinished, {ClaimsTakenOver} taken over / {ClaimTakeovers})"));
        }

        Row("Executions by instance (window)", ExecutionsByInstance);
        Row("Unexpected worker exits / forced stops", string.Create(CultureInfo.InvariantCulture, $"{UnexpectedExits.Count} / {StopsForced}"));
        Row("Result", Passed ? "PASS" : "**FAIL**");

        if (Kills.Count > 0)
        {
            text.Append("\n| Kill (UTC) | Instance | Abandoned (RunOnce) | First / last re-run | Not re-run (catch-ups) | Re-run by |\n|---|---|---|---|---|---|\n");
            foreach (var k in Kills)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"| {k.KilledAt:HH:mm:ss.fff} | {k.InstanceId} ({k.Pid}) | {k.Abandoned} ({k.AbandonedRunOnce}) | {Ms(k.FirstRerunMs)} / {Ms(k.LastRerunMs)} | {k.NotRerun} ({k.NotRerunCatchUps}) | {k.RerunBy} |\n");
            }
        }

        if (Anomalies.Count > 0)
        {
            text.Append("\nAnomalies (first 40):\n\n");
            foreach (var anomaly in Anomalies)
            {
                text.Append("- ").Append(anomaly).Append('\n');
            }
        }

        if (UnexpectedExits.Count > 0)
        {
            text.Append("\nUnexpected worker exits:\n\n");
            foreach (var exit in UnexpectedExits)
            {
                text.Append("- ").Append(exit.Replace("\n", "\n  ", StringComparison.Ordinal)).Append('\n');
            }
        }

        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private static double? Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        return values[Math.Clamp((int)Math.Ceiling(p * values.Count) - 1, 0, values.Count - 1)];
    }
}

/// <summary>One kill and what became of the runs it interrupted.</summary>
internal sealed record KillOutcome(
    string InstanceId,
    int Pid,
    DateTimeOffset KilledAt,
    long Abandoned,
    long AbandonedRunOnce,
    long NotRerun,
    long NotRerunCatchUps,
    double? FirstRerunMs,
    double? LastRerunMs,
    double? AbandonedMarkedMs,
    string RerunBy);
