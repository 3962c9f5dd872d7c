using System.Text.Json.Nodes;
using Board.Domain;
using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Trail;
using static Board.Tests.Given;

namespace Board.Tests.Boards;

[Trait("Kind", "Domain")]
public sealed class BoardAndChainTests
{
    [Theory]
    [InlineData(0, "operations", 14, "approvalsRequired")]
    [InlineData(26, "operations", 14, "approvalsRequired")]
    [InlineData(3, "chef", 14, "approverRole")]
    [InlineData(3, "operations", -1, "expiresAfterDays")]
    public void Policy_OutsideItsLimits_IsRefused(int approvals, string role, int days, string field)
    {
        var refusal = Assert.Throws<Refusal>(() => ABoard().ChangePolicy(new BoardPolicy(approvals, role, days), Admin, Now));
        Assert.Contains(field, refusal.Errors.Keys);
    }

    [Fact]
    public void Board_IsManagedByAdminsOnly_AndAPolicyChangeIsAnEntry()
    {
        Assert.Equal(RefusalCode.Forbidden, Assert.Throws<Refusal>(() => Board.Domain.Boards.Board.Create("x", BoardPolicy.Default, Ops1, Now)).Code);
        var board = ABoard();
        Assert.Equal(RefusalCode.Forbidden, Assert.Throws<Refusal>(() => board.ChangePolicy(BoardPolicy.Default with { ApprovalsRequired = 2 }, Ops1, Now)).Code);
        board.ChangePolicy(BoardPolicy.Default with { ApprovalsRequired = 2 }, Admin, Now);
        Assert.Equal(TrailActions.BoardPolicyChanged, board.PendingTrail[^1].Action);
        var count = board.PendingTrail.Count;
        board.ChangePolicy(BoardPolicy.Default with { ApprovalsRequired = 2 }, Admin, Now);
        Assert.Equal(count, board.PendingTrail.Count);
    }

    [Fact]
    public void Chain_LinksEachEntryToThePrevious_AndVerifies()
    {
        var entries = Chain(5);
        Assert.Equal(HashChain.Genesis, entries[0].PrevHash);
        for (var i = 1; i < entries.Count; i++) Assert.Equal(entries[i - 1].Hash, entries[i].PrevHash);
        var verifier = new HashChain.Verifier();
        Assert.All(entries, e => Assert.True(verifier.Add(e)));
        Assert.Equal(5, verifier.HeadSeq);
        Assert.Null(verifier.FirstInvalidSeq);
    }

    [Fact]
    public void Verifier_NamesTheFirstEntryThatDoesNotMatch()
    {
        var entries = Chain(5);
        var e = entries[2];
        entries[2] = AuditEntry.Restore(e.Seq, e.At, e.ActorId, "Someone else", e.Action, e.BoardId, e.ProposalId, e.Data, e.PrevHash, e.Hash);
        var verifier = new HashChain.Verifier();
        foreach (var entry in entries) verifier.Add(entry);
        Assert.Equal(3, verifier.FirstInvalidSeq);

        var missing = Chain(5);
        missing.RemoveAt(1);
        verifier = new HashChain.Verifier();
        foreach (var entry in missing) verifier.Add(entry);
        Assert.Equal(2, verifier.FirstInvalidSeq);
    }

    [Fact]
    public void Hash_IsStableForTheSameContent_AndKeysAreCanonical()
    {
        var fact = new TrailFact("proposal.posted", new Actor(Guid.Empty, "김예은"), Now, Guid.Empty, null, new JsonObject { ["z"] = 1, ["a"] = "가" });
        var a = AuditEntry.Append(0, HashChain.Genesis, fact);
        var b = AuditEntry.Append(0, HashChain.Genesis, fact with { Data = new JsonObject { ["a"] = "가", ["z"] = 1 } });
        Assert.Equal(a.Hash, b.Hash);
        Assert.Equal("""{"a":"가","z":1}""", a.Data);
        Assert.StartsWith("""{"action":"proposal.posted","actor":{"id":"00000000-0000-0000-0000-000000000000","name":"김예은"},"at":"2026-11-23T09:00:00.000Z",""", HashChain.CanonicalBody(a));
    }

    private static List<AuditEntry> Chain(int n)
    {
        var list = new List<AuditEntry>();
        var (seq, hash) = (0L, HashChain.Genesis);
        for (var i = 0; i < n; i++)
        {
            var e = AuditEntry.Append(seq, hash, new TrailFact("comment.added", Staff.AsActor(), Now.AddSeconds(i), Guid.Empty, Guid.Empty, new JsonObject { ["i"] = i }));
            list.Add(e);
            (seq, hash) = (e.Seq, e.Hash);
        }
        return list;
    }
}
