using Board.Domain.Members;

namespace Board.Domain.Boards;

/// <summary>How a board decides: how many approvals, from which role, and how long a proposal stays open.</summary>
public sealed record BoardPolicy(int ApprovalsRequired, string ApproverRole, int ExpiresAfterDays)
{
    /// <summary>The quorum's allowed range.</summary>
    public const int MinApprovals = 1, MaxApprovals = 25;
    /// <summary>The longest expiry, in days (0 = never).</summary>
    public const int MaxExpiryDays = 3650;

    /// <summary>Three operations members, 14 days.</summary>
    public static readonly BoardPolicy Default = new(3, Roles.Operations, 14);

    /// <summary>Refuses a policy outside its limits.</summary>
    public BoardPolicy Validated()
    {
        var errors = new Dictionary<string, string[]>();
        if (ApprovalsRequired is < MinApprovals or > MaxApprovals)
            errors["approvalsRequired"] = [$"Approvals required must be between {MinApprovals} and {MaxApprovals}."];
        if (!Roles.IsKnown(ApproverRole))
            errors["approverRole"] = [$"Approver role must be one of: {string.Join(", ", Roles.All)}."];
        if (ExpiresAfterDays is < 0 or > MaxExpiryDays)
            errors["expiresAfterDays"] = [$"Expiry must be between 0 (never) and {MaxExpiryDays} days."];
        return errors.Count == 0 ? this : throw new Refusal(RefusalCode.Validation, "The policy is not valid.", errors);
    }
}
