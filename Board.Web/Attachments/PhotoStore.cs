using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Attachments;

/// <summary>
/// Where the bytes of a photo live: the one seam an object store would take over. The attachment row (what the
/// proposal and its approvals refer to) stays in the database either way; only the bytes move.
/// </summary>
public interface IPhotoStore
{
    /// <summary>Adds the bytes of <paramref name="attachmentId"/> to the request's write in progress: kept only if it commits.</summary>
    void Add(Guid attachmentId, ProcessedPhoto photo);

    /// <summary>The stored bytes, or the thumbnail's; null when there is no such attachment.</summary>
    Task<byte[]?> ReadAsync(Guid attachmentId, bool thumbnail, CancellationToken ct);
}

/// <summary>
/// The bytes in the database, in the same transaction as the attachment row: one instance or many on one PostgreSQL,
/// nothing to back up separately, and removing an attachment removes its bytes (the foreign key cascades).
/// </summary>
public sealed class DatabasePhotoStore(BoardDb db) : IPhotoStore
{
    public void Add(Guid attachmentId, ProcessedPhoto photo) =>
        db.Set<PhotoBytes>().Add(new PhotoBytes(attachmentId, photo.Bytes, photo.Thumbnail));

    public Task<byte[]?> ReadAsync(Guid attachmentId, bool thumbnail, CancellationToken ct) =>
        db.Set<PhotoBytes>().AsNoTracking().Where(b => b.AttachmentId == attachmentId)
            .Select(b => thumbnail ? b.Thumbnail : b.Bytes).FirstOrDefaultAsync(ct);
}

/// <summary>A stored photo's bytes and its thumbnail's.</summary>
public sealed class PhotoBytes(Guid attachmentId, byte[] bytes, byte[] thumbnail)
{
    public Guid AttachmentId { get; private set; } = attachmentId;
    public byte[] Bytes { get; private set; } = bytes;
    public byte[] Thumbnail { get; private set; } = thumbnail;
}
