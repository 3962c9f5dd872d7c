using System.Text.Json.Nodes;
using Board.Domain.Members;

namespace Board.Domain.Trail;

/// <summary>A change an aggregate made, waiting to be chained into the trail when the change commits.</summary>
public sealed record TrailFact(string Action, Actor Actor, DateTimeOffset At, Guid? BoardId, Guid? ProposalId, JsonObject Data);

/// <summary>An aggregate whose changes must land in the trail in the same transaction.</summary>
public interface IRecordsTrail
{
    /// <summary>Facts recorded since the last commit.</summary>
    IReadOnlyList<TrailFact> PendingTrail { get; }

    /// <summary>Called once the facts are chained into entries.</summary>
    void ClearPendingTrail();
}
