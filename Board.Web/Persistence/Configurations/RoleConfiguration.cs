using Board.Domain.Members;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Persistence.Configurations;

/// <summary>The four roles are part of the schema: every database has them from its first migration.</summary>
public sealed class RoleConfiguration : IEntityTypeConfiguration<IdentityRole<Guid>>
{
    public void Configure(EntityTypeBuilder<IdentityRole<Guid>> b) => b.HasData(
        Role("0195a000-0000-7000-8000-000000000001", Roles.Staff),
        Role("0195a000-0000-7000-8000-000000000002", Roles.Operations),
        Role("0195a000-0000-7000-8000-000000000003", Roles.Manager),
        Role("0195a000-0000-7000-8000-000000000004", Roles.Admin));

    private static IdentityRole<Guid> Role(string id, string name) =>
        new() { Id = Guid.Parse(id), Name = name, NormalizedName = name.ToUpperInvariant(), ConcurrencyStamp = id };
}
