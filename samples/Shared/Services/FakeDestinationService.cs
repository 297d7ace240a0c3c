namespace JobScheduler.Samples.Services;

/// <summary>
/// An in-process stand-in for the destination service: keeps a few destinations in memory, normalizes their web URLs
/// (https, lower-case, no trailing slash) and records every call in <see cref="History"/>.
/// </summary>
/// <remarks>
/// Registered as a singleton so the history survives between runs. Call <see cref="FailNext"/> to make the next calls
/// throw and watch the job's retries appear as sessions.
/// </remarks>
public sealed class FakeDestinationService : IDestinationService
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, string> _webUrls = new(StringComparer.Ordinal)
    {
        ["Bali"] = "bali.example.com/",
        ["Cusco"] = " https://cusco.example.com/tours/ ",
        ["Kyoto"] = "https://kyoto.example.com",
        ["Lisbon"] = "HTTP://Lisbon.Example.com",
        ["Reykjavik"] = "https://reykjavik.example.com",
    };

    private readonly List<WebUrlSyncRecord> _history = [];
    private int _failuresLeft;

    /// <summary>Initializes a new instance of the <see cref="FakeDestinationService"/> class.</summary>
    /// <param name="timeProvider">The clock used for the simulated network delay and the history's timestamps.</param>
    public FakeDestinationService(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>Gets every call made so far, oldest first.</summary>
    public IReadOnlyList<WebUrlSyncRecord> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>Gets the current web URL of every destination.</summary>
    public IReadOnlyDictionary<string, string> WebUrls
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, string>(_webUrls, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Makes the next <paramref name="count"/> calls throw <see cref="HttpRequestException"/>.</summary>
    /// <param name="count">How many calls fail.</param>
    public void FailNext(int count)
    {
        lock (_lock)
        {
            _failuresLeft = count;
        }
    }

    /// <inheritdoc />
    public async Task<WebUrlSyncResult> SyncWebUrlsAsync(CancellationToken cancellationToken)
    {
        // The remote call. Through the TimeProvider, so tests with a fake clock do not wait.
        await Task.Delay(TimeSpan.FromMilliseconds(200), _timeProvider, cancellationToken);

        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();
            if (_failuresLeft > 0)
            {
                _failuresLeft--;
                const string Error = "Destination service unavailable (simulated outage).";
                _history.Add(new WebUrlSyncRecord(now, Succeeded: false, Checked: 0, Updated: 0, Error));
                throw new HttpRequestException(Error);
            }

            var updated = 0;
            foreach (var (destination, url) in _webUrls.ToList())
            {
                var normalized = Normalize(url);
                if (!string.Equals(normalized, url, StringComparison.Ordinal))
                {
                    _webUrls[destination] = normalized;
                    updated++;
                }
            }

            var result = new WebUrlSyncResult(_webUrls.Count, updated);
            _history.Add(new WebUrlSyncRecord(now, Succeeded: true, result.Checked, result.Updated, Error: null));
            return result;
        }
    }

    private static string Normalize(string url)
    {
        var text = url.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "https://" + text;
        }

        var uri = new UriBuilder(text) { Scheme = Uri.UriSchemeHttps, Port = -1 }.Uri;
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }
}
