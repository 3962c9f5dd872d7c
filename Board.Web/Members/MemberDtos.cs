using System.ComponentModel.DataAnnotations;

namespace Board.Web.Members;

public sealed class CreateMemberRequest
{
    [Required, EmailAddress, StringLength(256)] public string Email { get; set; } = "";
    [Required, StringLength(Domain.Members.Member.NameMax, MinimumLength = 1)] public string DisplayName { get; set; } = "";
    [Required, StringLength(256, MinimumLength = 8)] public string Password { get; set; } = "";
    [Required] public List<string> Roles { get; set; } = [];
}

public sealed class RolesRequest
{
    [Required] public List<string> Roles { get; set; } = [];
}
