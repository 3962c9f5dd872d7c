namespace Board.Domain.Proposals;

/// <summary>One member's approval of a proposal's words as they were when given.</summary>
public sealed class Approval
{
    private Approval() { }

    internal Approval(Guid proposalId, Guid memberId, string memberName, DateTimeOffset at, string textHash)
    {
        Id = Guid.CreateVersion7(at);
        ProposalId = proposalId;
        MemberId = memberId;
        MemberName = memberName;
        At = at;
        TextHash = textHash;
        Counts = true;
    }

    /// <summary>Identity.</summary>
    public Guid Id { get; private set; }
    /// <summary>The proposal approved.</summary>
    public Guid ProposalId { get; private set; }
    /// <summary>Who approved.</summary>
    public Guid MemberId { get; private set; }
    /// <summary>Their name when they approved.</summary>
    public string MemberName { get; private set; } = "";
    /// <summary>When.</summary>
    public DateTimeOffset At { get; private set; }
    /// <summary>SHA-256 of the title, body and photos approved (<see cref="Proposal.HashContent"/>).</summary>
    public string TextHash { get; private set; } = "";
    /// <summary>False once the approver is no longer an active member holding the approver role (checked at each new approval).</summary>
    public bool Counts { get; private set; }

    internal void Recheck(bool stillCounts) => Counts = stillCounts;
}
