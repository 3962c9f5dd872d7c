using Board.Domain.Proposals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Persistence.Configurations;

public sealed class ProposalConfiguration : IEntityTypeConfiguration<Proposal>
{
    public void Configure(EntityTypeBuilder<Proposal> b)
    {
        b.ToTable("proposals");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasOne<Domain.Boards.Board>().WithMany().HasForeignKey(x => x.BoardId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Proposal>().WithMany().HasForeignKey(x => x.ReversesId).OnDelete(DeleteBehavior.Restrict);
        b.Property(x => x.Title).HasMaxLength(Proposal.TitleMax).IsRequired();
        b.Property(x => x.Body).HasMaxLength(Proposal.BodyMax).IsRequired();
        b.Property(x => x.TextHash).HasMaxLength(64).IsRequired();
        b.Property(x => x.AuthorName).HasMaxLength(Domain.Members.Member.NameMax);
        b.Property(x => x.ApproverRole).HasMaxLength(32);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.CompletionNote).HasMaxLength(Proposal.NoteMax);
        // The app bumps Version on every change; a stale write fails instead of overwriting.
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => new { x.BoardId, x.Status, x.PostedAt });
        b.HasIndex(x => new { x.Status, x.ExpiresAt });
        // Waiting for me (open ones, oldest first) and My proposals (an author's, newest first), read in their order.
        b.HasIndex(x => new { x.Status, x.PostedAt, x.Id });
        b.HasIndex(x => new { x.AuthorId, x.PostedAt, x.Id });

        b.HasMany(x => x.Approvals).WithOne().HasForeignKey(a => a.ProposalId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(x => x.Approvals).HasField("_approvals").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany(x => x.Comments).WithOne().HasForeignKey(c => c.ProposalId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(x => x.Comments).HasField("_comments").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany(x => x.Attachments).WithOne().HasForeignKey(a => a.ProposalId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(x => x.Attachments).HasField("_attachments").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Ignore(x => x.PendingTrail);
        b.Ignore(x => x.CountingApprovals);
    }
}

public sealed class ApprovalConfiguration : IEntityTypeConfiguration<Approval>
{
    public void Configure(EntityTypeBuilder<Approval> b)
    {
        b.ToTable("approvals");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.MemberName).HasMaxLength(Domain.Members.Member.NameMax);
        b.Property(x => x.TextHash).HasMaxLength(64);
        // The last line of defence against a double approval, whatever the code does.
        b.HasIndex(x => new { x.ProposalId, x.MemberId }).IsUnique();
    }
}

public sealed class CommentConfiguration : IEntityTypeConfiguration<Comment>
{
    public void Configure(EntityTypeBuilder<Comment> b)
    {
        b.ToTable("comments");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Body).HasMaxLength(Comment.BodyMax);
        b.Property(x => x.AuthorName).HasMaxLength(Domain.Members.Member.NameMax);
        b.HasIndex(x => new { x.ProposalId, x.At });
    }
}
