namespace Board.Domain.Trail;

/// <summary>The actions an audit entry can record.</summary>
public static class TrailActions
{
#pragma warning disable CS1591 // the names say it
    public const string ProposalPosted = "proposal.posted";
    public const string ProposalEdited = "proposal.edited";
    public const string ApprovalAdded = "approval.added";
    public const string ApprovalWithdrawn = "approval.withdrawn";
    public const string ProposalExecuted = "proposal.executed";
    public const string ProposalCompleted = "proposal.completed";
    public const string ProposalWithdrawn = "proposal.withdrawn";
    public const string ProposalExpired = "proposal.expired";
    public const string CommentAdded = "comment.added";
    public const string BoardCreated = "board.created";
    public const string BoardRenamed = "board.renamed";
    public const string BoardPolicyChanged = "board.policy-changed";
    public const string MemberCreated = "member.created";
    public const string MemberRolesChanged = "member.roles-changed";
    public const string MemberDeactivated = "member.deactivated";
    public const string MemberReactivated = "member.reactivated";
    public const string MemberPasswordChanged = "member.password-changed";
    public const string WebhookCreated = "webhook.created";
    public const string WebhookDeleted = "webhook.deleted";
    public const string AttachmentAdded = "attachment.added";
    public const string AttachmentRemoved = "attachment.removed";
#pragma warning restore CS1591

    /// <summary>Every action, for filters and validation.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        ProposalPosted, ProposalEdited, ApprovalAdded, ApprovalWithdrawn, ProposalExecuted, ProposalCompleted,
        ProposalWithdrawn, ProposalExpired, CommentAdded, BoardCreated, BoardRenamed, BoardPolicyChanged,
        MemberCreated, MemberRolesChanged, MemberDeactivated, MemberReactivated, MemberPasswordChanged, WebhookCreated, WebhookDeleted,
        AttachmentAdded, AttachmentRemoved,
    ];
}
