namespace Board.Web.Webhooks;

public enum DeliveryStatus
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Every attempt failed within the retry window.</summary>
    Failed,
    /// <summary>The webhook was deleted before it could be delivered.</summary>
    Cancelled,
}

/// <summary>
/// One outbox row: one trail entry for one webhook, written in the same transaction as the entry.
/// Its id is the <c>X-Board-Delivery</c> header, the same on every attempt.
/// </summary>
public sealed class WebhookDelivery
{
    private WebhookDelivery() { }

    public Guid Id { get; private set; }
    public Guid WebhookId { get; private set; }
    public long Seq { get; private set; }
    public string Action { get; private set; } = "";
    public DeliveryStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>Start of the current retry window (creation, or the last redelivery).</summary>
    public DateTimeOffset WindowStart { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    /// <summary>While in the future, one worker (of any instance) owns the row.</summary>
    public DateTimeOffset? LeaseUntil { get; private set; }
    /// <summary>Who holds the lease: a worker only records the outcome of an attempt it still owns.</summary>
    public Guid? LeaseId { get; private set; }
    public int Attempts { get; private set; }
    public int? LastStatusCode { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? DeliveredAt { get; private set; }

    public List<WebhookAttempt> AttemptLog { get; private set; } = [];

    public static WebhookDelivery For(Webhook webhook, long seq, string action, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        WebhookId = webhook.Id,
        Seq = seq,
        Action = action,
        Status = DeliveryStatus.Pending,
        CreatedAt = now,
        WindowStart = now,
        NextAttemptAt = now,
    };

    /// <summary>Queues it again now, with a fresh retry window, under the same delivery id.</summary>
    public void Redeliver(DateTimeOffset now)
    {
        Status = DeliveryStatus.Pending;
        WindowStart = now;
        NextAttemptAt = now;
        LeaseUntil = null;
        LeaseId = null;
    }
}

/// <summary>One try at a delivery, as it went.</summary>
public sealed class WebhookAttempt
{
    public const int ErrorMax = 500;

    private WebhookAttempt() { }

    public Guid Id { get; private set; }
    public Guid DeliveryId { get; private set; }
    public int Number { get; private set; }
    public DateTimeOffset At { get; private set; }
    public int? StatusCode { get; private set; }
    public string? Error { get; private set; }
    public int DurationMs { get; private set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;

    public static WebhookAttempt Record(Guid deliveryId, int number, DateTimeOffset at, int? statusCode, string? error, TimeSpan duration) => new()
    {
        Id = Guid.CreateVersion7(at),
        DeliveryId = deliveryId,
        Number = number,
        At = at,
        StatusCode = statusCode,
        Error = error is { Length: > ErrorMax } ? error[..ErrorMax] : error,
        DurationMs = (int)Math.Min(int.MaxValue, duration.TotalMilliseconds),
    };
}
