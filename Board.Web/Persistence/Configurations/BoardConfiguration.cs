using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Persistence.Configurations;

public sealed class BoardConfiguration : IEntityTypeConfiguration<Domain.Boards.Board>
{
    public void Configure(EntityTypeBuilder<Domain.Boards.Board> b)
    {
        b.ToTable("boards");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Name).HasMaxLength(Domain.Boards.Board.NameMax).IsRequired();
        b.ComplexProperty(x => x.Policy, p =>
        {
            p.Property(x => x.ApprovalsRequired).HasColumnName("approvals_required");
            p.Property(x => x.ApproverRole).HasColumnName("approver_role").HasMaxLength(32);
            p.Property(x => x.ExpiresAfterDays).HasColumnName("expires_after_days");
        });
        b.Ignore(x => x.PendingTrail);
    }
}
