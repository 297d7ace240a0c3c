namespace JobScheduler.Samples.Services;

/// <summary>Keeps the destinations' web URLs in sync. The real one calls an external service.</summary>
public interface IDestinationService
{
    /// <summary>Checks every destination's web URL and stores its canonical form.</summary>
    /// <param name="cancellationToken">Cancels the sync.</param>
    /// <returns>How many URLs were checked and how many changed.</returns>
    /// <exception cref="HttpRequestException">The destination service could not be reached.</exception>
    Task<WebUrlSyncResult> SyncWebUrlsAsync(CancellationToken cancellationToken);
}

/// <summary>The outcome of one sync.</summary>
/// <param name="Checked">URLs checked.</param>
/// <param name="Updated">URLs that changed.</param>
public sealed record WebUrlSyncResult(int Checked, int Updated);

/// <summary>One call to <see cref="IDestinationService.SyncWebUrlsAsync"/>, as recorded by <see cref="FakeDestinationService"/>.</summary>
/// <param name="At">When the call ended.</param>
/// <param name="Succeeded">Whether it succeeded.</param>
/// <param name="Checked">URLs checked.</param>
/// <param name="Updated">URLs that changed.</param>
/// <param name="Error">The error message of a failed call.</param>
public sealed record WebUrlSyncRecord(DateTimeOffset At, bool Succeeded, int Checked, int Updated, string? Error);
