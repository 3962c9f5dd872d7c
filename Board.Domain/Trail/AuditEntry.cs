using Board.Domain.Members;

namespace Board.Domain.Trail;

/// <summary>One link of the append-only, hash-chained trail. Never changed after it is made.</summary>
public sealed class AuditEntry
{
    private AuditEntry() { }

    /// <summary>Position in the trail: 1, 2, 3, … with no gaps.</summary>
    public long Seq { get; private set; }
    /// <summary>When it happened, to the millisecond, UTC.</summary>
    public DateTimeOffset At { get; private set; }
    /// <summary>Who did it (null for the system).</summary>
    public Guid? ActorId { get; private set; }
    /// <summary>The actor's name as it was at that moment.</summary>
    public string ActorName { get; private set; } = "";
    /// <summary>One of <see cref="TrailActions"/>.</summary>
    public string Action { get; private set; } = "";
    /// <summary>The board it concerns, if any.</summary>
    public Guid? BoardId { get; private set; }
    /// <summary>The proposal it concerns, if any.</summary>
    public Guid? ProposalId { get; private set; }
    /// <summary>Details, as canonical JSON.</summary>
    public string Data { get; private set; } = "{}";
    /// <summary>The previous entry's hash (<see cref="HashChain.Genesis"/> for the first).</summary>
    public string PrevHash { get; private set; } = "";
    /// <summary>SHA-256 of <see cref="PrevHash"/> and the canonical JSON of this entry without its hash.</summary>
    public string Hash { get; private set; } = "";

    /// <summary>The actor as recorded.</summary>
    public Actor Actor => new(ActorId, ActorName);

    /// <summary>Chains <paramref name="fact"/> after the entry at (<paramref name="prevSeq"/>, <paramref name="prevHash"/>).</summary>
    public static AuditEntry Append(long prevSeq, string prevHash, TrailFact fact)
    {
        var entry = new AuditEntry
        {
            Seq = prevSeq + 1,
            At = HashChain.Truncate(fact.At),
            ActorId = fact.Actor.Id,
            ActorName = fact.Actor.Name,
            Action = fact.Action,
            BoardId = fact.BoardId,
            ProposalId = fact.ProposalId,
            Data = CanonicalJson.Write(fact.Data),
            PrevHash = prevHash,
        };
        entry.Hash = HashChain.Compute(entry);
        return entry;
    }

    /// <summary>Rebuilds an entry read from storage or an export, without recomputing anything.</summary>
    public static AuditEntry Restore(long seq, DateTimeOffset at, Guid? actorId, string actorName, string action,
        Guid? boardId, Guid? proposalId, string data, string prevHash, string hash) => new()
        {
            Seq = seq, At = at, ActorId = actorId, ActorName = actorName, Action = action,
            BoardId = boardId, ProposalId = proposalId, Data = data, PrevHash = prevHash, Hash = hash,
        };
}
