namespace Board.Domain.Proposals;

/// <summary>
/// A photo on a proposal, as the approvers see it: the stored (re-encoded, metadata-free) image is named by the
/// SHA-256 of its bytes, which is what an approval covers. The bytes themselves live in the host's photo store.
/// </summary>
public sealed class Attachment
{
    /// <summary>Alt text length limit.</summary>
    public const int AltMax = 300;
    /// <summary>Photos per proposal.</summary>
    public const int PerProposalMax = 6;
    /// <summary>Largest upload accepted, in bytes (10 MB).</summary>
    public const long UploadMaxBytes = 10 * 1024 * 1024;
    /// <summary>Longest side of a stored photo, in pixels.</summary>
    public const int LongestSideMax = 2048;
    /// <summary>Longest side of a thumbnail, in pixels.</summary>
    public const int ThumbnailSideMax = 320;

    private Attachment() { }

    /// <summary>Refuses an upload of <paramref name="bytes"/> beyond <see cref="UploadMaxBytes"/>.</summary>
    public static void RequireUploadSize(long bytes)
    {
        if (bytes > UploadMaxBytes) throw new Refusal(RefusalCode.TooLarge, $"A photo may be at most {UploadMaxBytes / (1024 * 1024)} MB.");
    }

    internal Attachment(Guid proposalId, StoredPhoto photo, string alt, int position, DateTimeOffset at)
    {
        Id = Guid.CreateVersion7(at);
        ProposalId = proposalId;
        ContentType = photo.ContentType;
        Width = photo.Width;
        Height = photo.Height;
        Sha256 = photo.Sha256;
        Alt = alt;
        Position = position;
        AddedAt = at;
    }

    /// <summary>Identity.</summary>
    public Guid Id { get; private set; }
    /// <summary>The proposal it belongs to.</summary>
    public Guid ProposalId { get; private set; }
    /// <summary>MIME type of the stored bytes.</summary>
    public string ContentType { get; private set; } = "";
    /// <summary>Stored width in pixels.</summary>
    public int Width { get; private set; }
    /// <summary>Stored height in pixels.</summary>
    public int Height { get; private set; }
    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public string Sha256 { get; private set; } = "";
    /// <summary>What the photo shows, in the member's words (may be empty).</summary>
    public string Alt { get; private set; } = "";
    /// <summary>Order on the proposal: photos are hashed in this order.</summary>
    public int Position { get; private set; }
    /// <summary>When it was added.</summary>
    public DateTimeOffset AddedAt { get; private set; }
}

/// <summary>What the host stored for an upload: the facts an approval can bind to.</summary>
/// <param name="ContentType">MIME type of the stored bytes.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the stored bytes.</param>
public sealed record StoredPhoto(string ContentType, int Width, int Height, string Sha256);
