using System.ComponentModel.DataAnnotations;
using Board.Domain.Proposals;
using Board.Web.Auth;
using Board.Web.Security;

namespace Board.Web.Proposals;

public sealed class PostProposalRequest
{
    [Required(AllowEmptyStrings = false), StringLength(Proposal.TitleMax + 40), PlainText] public string Title { get; set; } = "";
    [StringLength(Proposal.BodyMax + 2_000), PlainText(multiline: true), Markdown(Proposal.BodyMax + 2_000)] public string Body { get; set; } = "";
    public Guid? Reverses { get; set; }
}

public sealed class EditProposalRequest
{
    [Required(AllowEmptyStrings = false), StringLength(Proposal.TitleMax + 40), PlainText] public string Title { get; set; } = "";
    [StringLength(Proposal.BodyMax + 2_000), PlainText(multiline: true), Markdown(Proposal.BodyMax + 2_000)] public string Body { get; set; } = "";
}

public sealed class CompleteRequest
{
    [Required(AllowEmptyStrings = false), StringLength(Proposal.NoteMax + 1_000), PlainText(multiline: true)] public string Note { get; set; } = "";
}

public sealed class CommentRequest
{
    [Required(AllowEmptyStrings = false), StringLength(Comment.BodyMax + 1_000), PlainText(multiline: true), Markdown(Comment.BodyMax + 1_000)] public string Body { get; set; } = "";
}

public sealed class PreviewRequest
{
    [StringLength(Proposal.BodyMax + 2_000), PlainText(multiline: true)] public string Body { get; set; } = "";
}

public sealed record ApprovalDto(Guid MemberId, string Name, DateTimeOffset At, bool Counts);

/// <summary>A photo on a proposal; its bytes are at <c>/api/attachments/{id}</c> (<c>?size=thumb</c> for the thumbnail).</summary>
public sealed record AttachmentDto(Guid Id, string ContentType, int Width, int Height, string Sha256, string Alt)
{
    public static AttachmentDto From(Attachment a) => new(a.Id, a.ContentType, a.Width, a.Height, a.Sha256, a.Alt);

    public static List<AttachmentDto> Of(Proposal p) => [.. p.Attachments.Select(From)];
}

public sealed record CommentDto(Guid Id, PersonDto Author, string Body, string BodyHtml, DateTimeOffset At);

public sealed record ProposalDto(
    Guid Id, Guid BoardId, string Title, string Body, string BodyHtml, string Status, PersonDto Author,
    int ApprovalsRequired, string ApproverRole, int ApprovalCount, IReadOnlyList<ApprovalDto> Approvals,
    IReadOnlyList<CommentDto> Comments, Guid? Reverses, DateTimeOffset PostedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? EditedAt, DateTimeOffset? ExecutedAt, DateTimeOffset? CompletedAt, string? CompletedBy,
    string? CompletionNote, DateTimeOffset? ClosedAt, int Version, IReadOnlyList<AttachmentDto> Attachments)
{
    public static ProposalDto From(Proposal p, MarkdownRenderer markdown) => new(
        p.Id, p.BoardId, p.Title, p.Body, markdown.ToHtml(p.Body), StatusName(p.Status), new PersonDto(p.AuthorId, p.AuthorName),
        p.ApprovalsRequired, p.ApproverRole, p.CountingApprovals,
        [.. p.Approvals.OrderBy(a => a.At).Select(a => new ApprovalDto(a.MemberId, a.MemberName, a.At, a.Counts))],
        [.. p.Comments.OrderBy(c => c.At).Select(c => new CommentDto(c.Id, new PersonDto(c.AuthorId, c.AuthorName), c.Body, markdown.ToHtml(c.Body), c.At))],
        p.ReversesId, p.PostedAt, p.ExpiresAt, p.EditedAt, p.ExecutedAt, p.CompletedAt, p.CompletedByName,
        p.CompletionNote, p.ClosedAt, p.Version, AttachmentDto.Of(p));

    public static string StatusName(ProposalStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>A proposal as a list shows it: no rendered body, no comments.</summary>
public sealed record ProposalSummaryDto(
    Guid Id, Guid BoardId, string Title, string Excerpt, string Status, PersonDto Author, int ApprovalsRequired,
    int ApprovalCount, IReadOnlyList<ApprovalDto> Approvals, int CommentCount, Guid? Reverses,
    DateTimeOffset PostedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? ExecutedAt, DateTimeOffset? CompletedAt, int Version,
    string ApproverRole, string? CompletedBy, string? CompletionNote, DateTimeOffset? ClosedAt, IReadOnlyList<AttachmentDto> Attachments)
{
    public const int ExcerptLength = 200;

    public static ProposalSummaryDto From(Proposal p, int commentCount) => new(
        p.Id, p.BoardId, p.Title, p.Body.Length <= ExcerptLength ? p.Body : p.Body[..ExcerptLength] + "…",
        ProposalDto.StatusName(p.Status), new PersonDto(p.AuthorId, p.AuthorName), p.ApprovalsRequired, p.CountingApprovals,
        [.. p.Approvals.OrderBy(a => a.At).Select(a => new ApprovalDto(a.MemberId, a.MemberName, a.At, a.Counts))],
        commentCount, p.ReversesId, p.PostedAt, p.ExpiresAt, p.ExecutedAt, p.CompletedAt, p.Version,
        p.ApproverRole, p.CompletedByName, p.CompletionNote, p.ClosedAt, AttachmentDto.Of(p));
}

public sealed record ProposalPage(IReadOnlyList<ProposalSummaryDto> Items, int Page, int PageSize, int Total);
