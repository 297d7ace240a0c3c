namespace JobScheduler.Samples.Services;

/// <summary>Where an opportunity stands in the sales funnel.</summary>
public enum OpportunityStage
{
    /// <summary>Just arrived.</summary>
    New,

    /// <summary>The customer was contacted.</summary>
    Contacted,

    /// <summary>A quote was sent.</summary>
    Quoted,

    /// <summary>Booked: closed.</summary>
    Converted,

    /// <summary>Spam or a duplicate: closed.</summary>
    Junk,

    /// <summary>The customer declined: closed.</summary>
    NotInterested,
}

/// <summary>A travel lead.</summary>
/// <param name="Id">The id.</param>
/// <param name="Customer">Who is travelling.</param>
/// <param name="TravelDate">When they travel.</param>
/// <param name="Stage">The funnel stage.</param>
/// <param name="Score">The lead score; higher is more urgent.</param>
/// <param name="Deleted">Whether the opportunity was soft-deleted.</param>
public sealed record Opportunity(int Id, string Customer, DateTimeOffset TravelDate, OpportunityStage Stage, int Score, bool Deleted);

/// <summary>
/// An in-memory stand-in for the opportunity collection, seeded with a dozen opportunities whose travel dates are
/// relative to the <see cref="TimeProvider"/>'s now. Register it as a singleton.
/// </summary>
public sealed class OpportunityRepository
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Opportunity> _opportunities;

    /// <summary>Initializes a new instance of the <see cref="OpportunityRepository"/> class.</summary>
    /// <param name="timeProvider">The clock the seed's travel dates are relative to.</param>
    public OpportunityRepository(TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        Opportunity[] seed =
        [
            new(1, "Ana", now.AddDays(3), OpportunityStage.New, 50, Deleted: false),                // ≤ 7 days: +20
            new(2, "Bo", now.AddDays(6), OpportunityStage.Contacted, 40, Deleted: false),           // ≤ 7 days: +20
            new(3, "Chen", now.AddDays(10), OpportunityStage.Quoted, 70, Deleted: false),           // ≤ 14 days: +15
            new(4, "Dara", now.AddDays(13), OpportunityStage.New, 0, Deleted: false),               // ≤ 14 days: +15
            new(5, "Emil", now.AddDays(21), OpportunityStage.Contacted, 30, Deleted: false),        // ≤ 30 days: +10
            new(6, "Farah", now.AddDays(28), OpportunityStage.New, 10, Deleted: false),             // ≤ 30 days: +10
            new(7, "Gus", now.AddDays(45), OpportunityStage.New, 20, Deleted: false),               // too far away
            new(8, "Hana", now.AddDays(5), OpportunityStage.Converted, 90, Deleted: false),         // closed
            new(9, "Ivo", now.AddDays(8), OpportunityStage.Junk, 0, Deleted: false),                // closed
            new(10, "Jun", now.AddDays(12), OpportunityStage.NotInterested, 15, Deleted: false),    // closed
            new(11, "Kai", now.AddDays(4), OpportunityStage.New, 25, Deleted: true),                // deleted
            new(12, "Lea", now.AddDays(-2), OpportunityStage.Quoted, 60, Deleted: false),           // already travelled
        ];
        _opportunities = seed.ToDictionary(o => o.Id);
    }

    /// <summary>Returns every opportunity, by id.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<Opportunity> GetAll()
    {
        lock (_lock)
        {
            return [.. _opportunities.Values.OrderBy(o => o.Id)];
        }
    }

    /// <summary>Returns the open, non-deleted opportunities travelling between <paramref name="from"/> and <paramref name="to"/>.</summary>
    /// <param name="from">The earliest travel date, inclusive.</param>
    /// <param name="to">The latest travel date, inclusive.</param>
    /// <returns>A snapshot, by id.</returns>
    public IReadOnlyList<Opportunity> FindScorable(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_lock)
        {
            return
            [
                .. _opportunities.Values
                    .Where(o => o.TravelDate >= from && o.TravelDate <= to && !o.Deleted && IsOpen(o.Stage))
                    .OrderBy(o => o.Id),
            ];
        }
    }

    /// <summary>Adds <paramref name="points"/> to an opportunity's score.</summary>
    /// <param name="id">The opportunity id.</param>
    /// <param name="points">The points to add.</param>
    /// <returns>The updated opportunity.</returns>
    /// <exception cref="KeyNotFoundException">No opportunity has that id.</exception>
    public Opportunity IncreaseScore(int id, int points)
    {
        lock (_lock)
        {
            var updated = _opportunities[id] with { Score = _opportunities[id].Score + points };
            _opportunities[id] = updated;
            return updated;
        }
    }

    private static bool IsOpen(OpportunityStage stage)
        => stage is not (OpportunityStage.Converted or OpportunityStage.Junk or OpportunityStage.NotInterested);
}
