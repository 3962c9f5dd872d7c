using System.ComponentModel.DataAnnotations;
using Board.Domain.Members;
using Board.Web.Persistence;
using Board.Web.Security;

namespace Board.Web.Auth;

public sealed class LoginRequest
{
    [Required, EmailAddress, StringLength(256), PlainText] public string Email { get; set; } = "";
    [Required, StringLength(256)] public string Password { get; set; } = "";
}

public sealed record MemberDto(Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles, bool IsActive)
{
    public static MemberDto From(MemberAccount account, IEnumerable<string> roles) =>
        new(account.Id, account.Email ?? "", account.DisplayName, [.. Domain.Members.Roles.All.Where(roles.Contains)], account.IsActive);
}

/// <summary>A member as others see them, wherever one is named: an author, an actor, a watcher.</summary>
public sealed record PersonDto(Guid? Id, string Name);

public sealed record LoginResponse(MemberDto Member, string AccessToken, DateTimeOffset ExpiresAt);

public sealed record DemoSignInDto(string Email, IReadOnlyList<string> Roles);

public sealed record DemoSignInsDto(string Password, IReadOnlyList<DemoSignInDto> Members);

public sealed record SessionDto(MemberDto? Member);
