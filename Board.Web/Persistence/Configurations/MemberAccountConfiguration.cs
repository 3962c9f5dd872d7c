using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Persistence.Configurations;

public sealed class MemberAccountConfiguration : IEntityTypeConfiguration<MemberAccount>
{
    public void Configure(EntityTypeBuilder<MemberAccount> b)
    {
        b.Property(x => x.DisplayName).HasMaxLength(Domain.Members.Member.NameMax).IsRequired();
    }
}
