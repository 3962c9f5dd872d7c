using System.ComponentModel.DataAnnotations;
using Board.Domain.Boards;
using Board.Web.Security;

namespace Board.Web.Boards;

public sealed class PolicyRequest
{
    [Range(BoardPolicy.MinApprovals, BoardPolicy.MaxApprovals)] public int ApprovalsRequired { get; set; } = BoardPolicy.Default.ApprovalsRequired;
    [Required, StringLength(32), PlainText] public string ApproverRole { get; set; } = BoardPolicy.Default.ApproverRole;
    [Range(0, BoardPolicy.MaxExpiryDays)] public int ExpiresAfterDays { get; set; } = BoardPolicy.Default.ExpiresAfterDays;

    public BoardPolicy ToPolicy() => new(ApprovalsRequired, ApproverRole.Trim(), ExpiresAfterDays);
}

public sealed class CreateBoardRequest
{
    [Required(AllowEmptyStrings = false), StringLength(Domain.Boards.Board.NameMax), PlainText] public string Name { get; set; } = "";
    public PolicyRequest? Policy { get; set; }
}

public sealed class RenameBoardRequest
{
    [Required(AllowEmptyStrings = false), StringLength(Domain.Boards.Board.NameMax), PlainText] public string Name { get; set; } = "";
}

public sealed record PolicyDto(int ApprovalsRequired, string ApproverRole, int ExpiresAfterDays)
{
    public static PolicyDto From(BoardPolicy p) => new(p.ApprovalsRequired, p.ApproverRole, p.ExpiresAfterDays);
}

public sealed record BoardCountsDto(int Open, int Executed, int Done, int Withdrawn, int Expired);

public sealed record BoardDto(Guid Id, string Name, PolicyDto Policy, DateTimeOffset CreatedAt, BoardCountsDto Counts);
