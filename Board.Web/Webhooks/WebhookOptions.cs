using System.ComponentModel.DataAnnotations;

namespace Board.Web.Webhooks;

/// <summary>Configuration section <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";
    public const string HttpClientName = "webhooks";

    /// <summary>The first retry comes within this many seconds (with jitter); each next one waits twice as long.</summary>
    [Range(0.1, 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public double FirstRetrySeconds { get; set; } = 5;
    /// <summary>The longest wait between two attempts.</summary>
    [Range(1, 7 * 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public double MaxRetrySeconds { get; set; } = 3600;
    /// <summary>A delivery that has not succeeded this long after it was queued is marked failed.</summary>
    [Range(0.01, 30 * 24, ErrorMessage = "must be between {1} and {2} hours")]
    public double GiveUpAfterHours { get; set; } = 72;
    /// <summary>How long one attempt may take.</summary>
    [Range(0.1, 600, ErrorMessage = "must be between {1} and {2} seconds")]
    public double TimeoutSeconds { get; set; } = 10;
    /// <summary>How long a worker owns a claimed delivery; longer than the timeout, so only a dead worker's lease expires.</summary>
    [Range(1, 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public double LeaseSeconds { get; set; } = 60;
    /// <summary>How often the worker looks for due deliveries when nothing woke it.</summary>
    [Range(10, 600_000, ErrorMessage = "must be between {1} and {2} milliseconds")]
    public int PollMilliseconds { get; set; } = 1000;
    /// <summary>Attempts in flight at once, per instance: one slow receiver does not hold up the others.</summary>
    [Range(1, 256, ErrorMessage = "must be between {1} and {2}")]
    public int Concurrency { get; set; } = 8;
    /// <summary>Whether webhooks may reach loopback, private, link-local and other internal addresses (default: in Development only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The wait before attempt <paramref name="failedAttempts"/> + 1: exponential, capped, with jitter in [½, 1].</summary>
    public TimeSpan Backoff(int failedAttempts, double jitter)
    {
        var exponent = Math.Min(Math.Max(failedAttempts - 1, 0), 30);
        var seconds = Math.Min(MaxRetrySeconds, FirstRetrySeconds * Math.Pow(2, exponent));
        return TimeSpan.FromSeconds(seconds * (0.5 + 0.5 * Math.Clamp(jitter, 0, 1)));
    }
}
