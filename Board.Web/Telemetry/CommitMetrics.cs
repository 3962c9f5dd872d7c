using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Persistence;

namespace Board.Web.Telemetry;

/// <summary>
/// Counts decisions from the trail entries a transaction wrote, once it has committed: approvals, executions and
/// how long each executed proposal took from posting. It subscribes to commits like any other feature, so the
/// domain and <c>BoardDb</c> stay free of telemetry, and a transaction that rolls back counts nothing.
/// </summary>
public sealed class CommitMetrics(BoardMetrics metrics) : ICommitObserver
{
    public void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Proposal> proposals)
    {
        var approvals = entries.Count(e => e.Action == TrailActions.ApprovalAdded);
        if (approvals > 0) metrics.Approved(approvals);
        foreach (var executed in entries.Where(e => e.Action == TrailActions.ProposalExecuted))
        {
            var proposal = proposals.FirstOrDefault(p => p.Id == executed.ProposalId);
            metrics.Executed(proposal is null ? TimeSpan.Zero : executed.At - proposal.PostedAt);
        }
    }
}
