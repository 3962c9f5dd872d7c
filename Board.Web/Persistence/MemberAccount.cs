using Board.Domain.Members;
using Microsoft.AspNetCore.Identity;

namespace Board.Web.Persistence;

/// <summary>A member's sign-in account (ASP.NET Core Identity). The rule sees it as a <see cref="Member"/>.</summary>
public sealed class MemberAccount : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }

    public Member ToMember(IEnumerable<string> roles) => new(Id, DisplayName, roles.ToHashSet(StringComparer.Ordinal), IsActive);
}
