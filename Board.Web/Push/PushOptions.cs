using System.ComponentModel.DataAnnotations;
using Board.Web.Webhooks;

namespace Board.Web.Push;

/// <summary>Configuration section <c>Push</c>. Retries work as the webhooks' do.</summary>
public sealed class PushOptions
{
    public const string Section = "Push";
    public const string HttpClientName = "push";

    /// <summary>The VAPID <c>sub</c> (RFC 8292): how a push service reaches whoever runs this Board (mailto: or https:).</summary>
    [RegularExpression("^(mailto:|https://).+", ErrorMessage = "must start with mailto: or https://")]
    public string Subject { get; set; } = "mailto:board@example.com";
    /// <summary>Waiting notifications wait this long first, so that proposals posted together arrive as one.</summary>
    [Range(0, 3600, ErrorMessage = "must be between {1} and {2} seconds")]
    public double BundleSeconds { get; set; } = 10;
    /// <summary>How long a push service keeps a message for a device that is off (the TTL header).</summary>
    [Range(0, 2_419_200, ErrorMessage = "must be between {1} and {2} seconds")]
    public int TimeToLiveSeconds { get; set; } = 86_400;
    [Range(0.1, 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public double FirstRetrySeconds { get; set; } = 5;
    [Range(1, 7 * 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public double MaxRetrySeconds { get; set; } = 3600;
    /// <summary>A notification not sent this long after it was queued is given up (it would be stale anyway).</summary>
    [Range(0.01, 7 * 24, ErrorMessage = "must be between {1} and {2} hours")]
    public double GiveUpAfterHours { get; set; } = 24;
    [Range(0.1, 600, ErrorMessage = "must be between {1} and {2} seconds")]
    public double TimeoutSeconds { get; set; } = 10;
    [Range(1, 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public double LeaseSeconds { get; set; } = 60;
    [Range(10, 600_000, ErrorMessage = "must be between {1} and {2} milliseconds")]
    public int PollMilliseconds { get; set; } = 1000;
    [Range(1, 256, ErrorMessage = "must be between {1} and {2}")]
    public int Concurrency { get; set; } = 8;
    /// <summary>Whether push endpoints may be loopback, private or other internal addresses (default: in Development only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The wait before the next attempt: the webhooks' exponential backoff with jitter.</summary>
    public TimeSpan Backoff(int failedAttempts, double jitter) =>
        new WebhookOptions { FirstRetrySeconds = FirstRetrySeconds, MaxRetrySeconds = MaxRetrySeconds }.Backoff(failedAttempts, jitter);
}
