using Board.Web.Security;

namespace Board.Web.Webhooks;

public sealed class CreateWebhookRequest
{
    [PlainText] public string? Url { get; set; }
    /// <summary>At least 16 characters; omitted = one is generated and returned once.</summary>
    public string? Secret { get; set; }
    /// <summary>Trail actions to deliver; empty or omitted = all.</summary>
    public List<string>? Actions { get; set; }
}

public sealed record DeliveryCountsDto(int Pending, int Delivered, int Failed, int Cancelled);

public sealed record WebhookDto(
    Guid Id, Guid BoardId, string Url, IReadOnlyList<string> Actions, DateTimeOffset CreatedAt, DateTimeOffset? DeletedAt,
    DeliveryCountsDto Deliveries)
{
    public static WebhookDto From(Webhook w, DeliveryCountsDto counts) =>
        new(w.Id, w.BoardId, w.Url, w.Actions, w.CreatedAt, w.DeletedAt, counts);
}

/// <summary>The answer to a create: the only time the secret is shown.</summary>
public sealed record CreatedWebhookDto(
    Guid Id, Guid BoardId, string Url, IReadOnlyList<string> Actions, DateTimeOffset CreatedAt, string Secret);

public sealed record AttemptDto(int Number, DateTimeOffset At, int? StatusCode, string? Error, int DurationMs)
{
    public static AttemptDto From(WebhookAttempt a) => new(a.Number, a.At, a.StatusCode, a.Error, a.DurationMs);
}

public sealed record DeliveryDto(
    Guid Id, Guid WebhookId, long Seq, string Action, string Status, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, int? LastStatusCode, string? LastError,
    IReadOnlyList<AttemptDto> AttemptLog)
{
    public static DeliveryDto From(WebhookDelivery d) => new(
        d.Id, d.WebhookId, d.Seq, d.Action, StatusName(d.Status), d.Attempts, d.CreatedAt,
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt, d.LastStatusCode, d.LastError,
        [.. d.AttemptLog.OrderBy(a => a.Number).ThenBy(a => a.At).Select(AttemptDto.From)]);

    public static string StatusName(DeliveryStatus s) => s.ToString().ToLowerInvariant();
}

public sealed record DeliveryPage(IReadOnlyList<DeliveryDto> Items, long? Next);
