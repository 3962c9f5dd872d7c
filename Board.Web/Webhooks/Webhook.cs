using Board.Domain;
using Board.Domain.Trail;

namespace Board.Web.Webhooks;

/// <summary>A receiver of one board's entries. Deleting keeps the row (and its delivery log) and stops deliveries.</summary>
public sealed class Webhook
{
    public const int UrlMax = 2_000;
    public const int SecretMin = 16, SecretMax = 256;

    private Webhook() { }

    public Guid Id { get; private set; }
    public Guid BoardId { get; private set; }
    public string Url { get; private set; } = "";
    /// <summary>The HMAC key as stored: protected (<see cref="WebhookSecrets"/>). Never returned after creation, never written to the trail.</summary>
    public string Secret { get; private set; } = "";
    /// <summary>The actions it wants; empty = every action of the board.</summary>
    public List<string> Actions { get; private set; } = [];
    public DateTimeOffset CreatedAt { get; private set; }
    public Guid CreatedById { get; private set; }
    public DateTimeOffset? DeletedAt { get; private set; }

    public bool IsActive => DeletedAt is null;

    public bool Wants(string action) => IsActive && (Actions.Count == 0 || Actions.Contains(action));

    public static Webhook Create(
        Guid boardId, string? url, string secret, IEnumerable<string>? actions, Guid by, DateTimeOffset now, WebhookSecrets secrets) => new()
        {
            Id = Guid.CreateVersion7(now),
            BoardId = boardId,
            Url = ValidUrl(url),
            Secret = secrets.Protect(ValidSecret(secret)),
            Actions = ValidActions(actions),
            CreatedAt = now,
            CreatedById = by,
        };

    public void Delete(DateTimeOffset now) => DeletedAt ??= now;

    /// <summary>Absolute http or https, with a host.</summary>
    public static string ValidUrl(string? url)
    {
        var trimmed = url?.Trim() ?? "";
        if (!Domain.Text.PlainText.IsCleanLine(trimmed)) throw Refusal.Invalid("url", Domain.Text.PlainText.LineMessage);
        if (trimmed.Length is 0 or > UrlMax
            || !Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo))
            throw Refusal.Invalid("url", $"The URL must be an absolute http:// or https:// address (at most {UrlMax} characters, no user name or password).");
        return uri.AbsoluteUri;
    }

    public static string ValidSecret(string? secret)
    {
        if (secret is null || secret.Length is < SecretMin or > SecretMax || string.IsNullOrWhiteSpace(secret))
            throw Refusal.Invalid("secret", $"The secret must be {SecretMin} to {SecretMax} characters.");
        return secret;
    }

    /// <summary>What a webhook can subscribe to: every trail action, and new signed checkpoints (only when named).</summary>
    public static readonly IReadOnlyList<string> Events = [.. TrailActions.All, Checkpoint.Event];

    /// <summary>Subscribed to checkpoints: named explicitly (an empty list means every trail entry, not checkpoints).</summary>
    public bool WantsCheckpoints => IsActive && Actions.Contains(Checkpoint.Event);

    public static List<string> ValidActions(IEnumerable<string>? actions)
    {
        var list = (actions ?? []).Select(a => a?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (list.FirstOrDefault(a => !Events.Contains(a)) is { } unknown)
            throw Refusal.Invalid("actions", $"Unknown action '{unknown}'. Actions are: {string.Join(", ", Events)}.");
        return [.. Events.Where(list.Contains)];
    }
}
