using System.ComponentModel.DataAnnotations;
using Board.Web.Security;

namespace Board.Web.Members;

public sealed class CreateMemberRequest
{
    [Required, EmailAddress, StringLength(256), PlainText] public string Email { get; set; } = "";
    [Required, StringLength(Domain.Members.Member.NameMax, MinimumLength = 1), PlainText] public string DisplayName { get; set; } = "";
    [Required, StringLength(256, MinimumLength = 8)] public string Password { get; set; } = "";
    [Required] public List<string> Roles { get; set; } = [];
}

public sealed class RolesRequest
{
    [Required] public List<string> Roles { get; set; } = [];
}
