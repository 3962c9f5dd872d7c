using Board.Domain.Proposals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Attachments;

public sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> b)
    {
        b.ToTable("attachments");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.ContentType).HasMaxLength(32).IsRequired();
        b.Property(x => x.Sha256).HasMaxLength(64).IsRequired();
        b.Property(x => x.Alt).HasMaxLength(Attachment.AltMax).IsRequired();
        // Positions order the photos the approval hash covers: two with one position would make that order arbitrary.
        b.HasIndex(x => new { x.ProposalId, x.Position }).IsUnique();
    }
}

public sealed class PhotoBytesConfiguration : IEntityTypeConfiguration<PhotoBytes>
{
    public void Configure(EntityTypeBuilder<PhotoBytes> b)
    {
        b.ToTable("attachment_bytes");
        b.HasKey(x => x.AttachmentId);
        b.Property(x => x.Bytes).IsRequired();
        b.Property(x => x.Thumbnail).IsRequired();
        b.HasOne<Attachment>().WithOne().HasForeignKey<PhotoBytes>(x => x.AttachmentId).OnDelete(DeleteBehavior.Cascade);
    }
}
