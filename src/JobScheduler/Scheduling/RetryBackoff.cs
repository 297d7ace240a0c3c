namespace JobScheduler;

/// <summary>How the delay between retries grows. Maps to Polly's <c>DelayBackoffType</c>.</summary>
public enum RetryBackoff
{
    /// <summary>Every retry waits the same delay.</summary>
    Constant,

    /// <summary>Retry <c>n</c> waits <c>n × delay</c>.</summary>
    Linear,

    /// <summary>Retry <c>n</c> waits <c>2^(n-1) × delay</c>.</summary>
    Exponential,
}
