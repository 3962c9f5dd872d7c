using Board.Domain.Trail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Persistence.Configurations;

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_entries");
        b.HasKey(x => x.Seq);
        b.Property(x => x.Seq).ValueGeneratedNever();
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.ActorName).HasMaxLength(Domain.Members.Member.NameMax);
        b.Property(x => x.PrevHash).HasMaxLength(64).IsRequired();
        b.Property(x => x.Hash).HasMaxLength(64).IsRequired();
        b.HasIndex(x => x.Hash).IsUnique();
        b.HasIndex(x => new { x.BoardId, x.Seq });
        b.HasIndex(x => new { x.ProposalId, x.Seq });
        b.HasIndex(x => new { x.ActorId, x.Seq });
        b.HasIndex(x => new { x.Action, x.Seq });
        b.HasIndex(x => new { x.At, x.Seq });
        b.Ignore(x => x.Actor);
    }
}
