using System.Text.Json;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Proposals;

namespace Board.Web.Trail;

/// <summary>
/// An audit entry as every consumer sees it — the hub, the events catch-up, the trail and webhooks.
/// <c>at</c> is the exact string that was hashed.
/// </summary>
public sealed record TrailEntryDto(
    long Seq, string At, PersonDto Actor, string Action, Guid? BoardId, Guid? ProposalId, JsonElement Data,
    string PrevHash, string Hash, ProposalDto? Proposal = null)
{
    public static TrailEntryDto From(AuditEntry e, ProposalDto? proposal = null)
    {
        using var data = JsonDocument.Parse(e.Data);
        return new(e.Seq, HashChain.FormatTime(e.At), new PersonDto(e.ActorId, e.ActorName), e.Action, e.BoardId, e.ProposalId,
            data.RootElement.Clone(), e.PrevHash, e.Hash, proposal);
    }
}

public sealed record TrailPage(IReadOnlyList<TrailEntryDto> Items, long? Next, long HeadSeq);

/// <summary>
/// A verification: <see cref="Count"/> entries were recomputed, those after <see cref="VerifiedFrom"/> (0: the whole
/// trail; else the size of a checkpoint verified before, whose entries were not read again). <see cref="CheckpointSize"/>
/// is the largest checkpoint the trail was found to match.
/// </summary>
public sealed record VerifyResult(bool Valid, long Count, long HeadSeq, string HeadHash, long? FirstInvalidSeq, string? Problem,
    long VerifiedFrom = 0, long? CheckpointSize = null);
