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
        // No index on Hash: nothing looks an entry up by its hash (verify reads the chain in order), and a unique index
        // of random 64-character keys cost every entry a page of its own in the write (~16 KB of WAL and checkpoint
        // writes per approval, a sixth of the trail's storage). The chain itself, checked by the insert trigger, the
        // signed checkpoints and verify, is what makes every hash follow from the one before.
        b.HasIndex(x => new { x.BoardId, x.Seq });
        b.HasIndex(x => new { x.ProposalId, x.Seq });
        b.HasIndex(x => new { x.ActorId, x.Seq });
        b.HasIndex(x => new { x.Action, x.Seq });
        b.HasIndex(x => new { x.At, x.Seq });
        b.Ignore(x => x.Actor);
    }
}
