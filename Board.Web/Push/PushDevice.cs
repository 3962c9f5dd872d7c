using System.Buffers.Text;
using Board.Domain;

namespace Board.Web.Push;

/// <summary>
/// One device's push subscription (RFC 8030): where its push service takes messages for it, and the keys the
/// browser made for it (RFC 8291). The keys are the subscription's public half; the private half never leaves the
/// device, so a copy of the database cannot read a message.
/// </summary>
public sealed class PushDevice
{
    public const int EndpointMax = 1_000;
    /// <summary>A member's devices at most: a phone, a tablet, a few browsers.</summary>
    public const int MaxPerMember = 10;
    /// <summary>An uncompressed P-256 point is 65 bytes; the auth secret is 16 (RFC 8291, section 3).</summary>
    public const int PublicKeyBytes = 65, AuthBytes = 16;
    public const int LanguageMax = 8;

    private PushDevice() { }

    public Guid Id { get; private set; }
    public Guid MemberId { get; private set; }
    public string Endpoint { get; private set; } = "";
    /// <summary>The device's P-256 public key, base64url.</summary>
    public string P256dh { get; private set; } = "";
    /// <summary>The device's auth secret, base64url.</summary>
    public string Auth { get; private set; } = "";
    /// <summary>The language its notifications are written in (the page's, when it subscribed).</summary>
    public string Language { get; private set; } = "en";
    public DateTimeOffset CreatedAt { get; private set; }

    public static PushDevice Create(Guid memberId, string endpoint, string p256dh, string auth, string language, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        MemberId = memberId,
        Endpoint = endpoint,
        P256dh = p256dh,
        Auth = auth,
        Language = language,
        CreatedAt = now,
    };

    /// <summary>The same device subscribed again (new keys after the browser renewed them, or another member on it).</summary>
    public void Renew(Guid memberId, string p256dh, string auth, string language)
    {
        MemberId = memberId;
        P256dh = p256dh;
        Auth = auth;
        Language = language;
    }

    /// <summary>An absolute https URL with a host and no user name (or, where private networks are allowed, a local http one).</summary>
    public static Uri ValidEndpoint(string? endpoint, bool allowPrivate)
    {
        var trimmed = endpoint?.Trim() ?? "";
        if (trimmed.Length is 0 or > EndpointMax || !Domain.Text.PlainText.IsCleanLine(trimmed)
            || !Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
            throw Refusal.Invalid("endpoint", $"The endpoint must be an absolute https:// address of at most {EndpointMax} characters.");
        var internalHost = Webhooks.AddressGuard.IsPlainlyInternal(uri);
        // http only for a developer's own stand-in push service on this machine, the one case private addresses are allowed.
        if (uri.Scheme != "https" && !(uri.Scheme == "http" && allowPrivate && internalHost))
            throw Refusal.Invalid("endpoint", "The endpoint must be an https:// address.");
        if (!allowPrivate && internalHost)
            throw Refusal.Invalid("endpoint", "The endpoint points at a loopback, private or otherwise internal address; push goes to public push services only.");
        return uri;
    }

    /// <summary>A base64url key of exactly <paramref name="bytes"/> bytes, as the browser's <c>getKey()</c> gives it.</summary>
    public static string ValidKey(string? key, int bytes, string field)
    {
        var trimmed = key?.Trim().TrimEnd('=') ?? "";
        byte[]? decoded = null;
        if (trimmed.Length is > 0 and <= 128)
        {
            try
            {
                decoded = Base64Url.DecodeFromChars(trimmed);
            }
            catch (FormatException)
            {
            }
        }
        if (decoded is null || decoded.Length != bytes || (bytes == PublicKeyBytes && decoded[0] != 0x04))
            throw Refusal.Invalid(field, bytes == PublicKeyBytes
                ? "The key must be an uncompressed P-256 public key (65 bytes), base64url."
                : $"The auth secret must be {bytes} bytes, base64url.");
        return Base64Url.EncodeToString(decoded);
    }
}
