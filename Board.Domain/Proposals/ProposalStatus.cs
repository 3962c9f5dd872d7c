namespace Board.Domain.Proposals;

/// <summary>Where a proposal stands. Only <see cref="Open"/> and <see cref="Executed"/> can move on.</summary>
public enum ProposalStatus
{
    /// <summary>Collecting approvals.</summary>
    Open,
    /// <summary>Reached its quorum; awaiting its outcome.</summary>
    Executed,
    /// <summary>Outcome recorded.</summary>
    Done,
    /// <summary>Withdrawn by its author.</summary>
    Withdrawn,
    /// <summary>Stayed open past its board's expiry.</summary>
    Expired,
}
