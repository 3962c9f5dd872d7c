using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Trail;
using Microsoft.Data.Sqlite;

namespace Board.Tests.Trail;

/// <summary>Someone with the SQLite file rewrites history; verify must name the first entry that no longer holds.</summary>
[Trait("Kind", "Domain")]
public sealed class TrailTamperTests
{
    private const int Count = 20;

    [Fact]
    public async Task Verify_UntouchedTrail_IsValid_AndHoldsItsHead()
    {
        using var file = await TrailFile.CreateAsync(Count);
        var last = (await file.EntriesAsync())[^1];

        var result = await file.VerifyAsync(new ExpectedHead(last.Seq, last.Hash));

        Assert.True(result.Valid, result.Problem);
        Assert.Equal(Count, result.Count);
        Assert.Equal((last.Seq, last.Hash), (result.HeadSeq, result.HeadHash));
        Assert.Null(result.FirstInvalidSeq);
    }

    [Theory]
    [InlineData("ActorName", "Someone else")]
    [InlineData("Action", "proposal.withdrawn")]
    [InlineData("Data", """{"note":"Generated entry 7","title":"A different decision"}""")]
    [InlineData("At", 1L)]
    [InlineData("BoardId", "00000000-0000-0000-0000-000000000001")]
    [InlineData("ProposalId", null)]
    public async Task ChangeAField_NamesThatEntry(string column, object? value)
    {
        using var file = await TrailFile.CreateAsync(Count);
        await file.DropTriggersAsync();

        Assert.Equal(1, await file.ExecAsync($"UPDATE audit_entries SET {column} = $v WHERE Seq = 7", ("$v", value)));

        var result = await file.VerifyAsync();
        Assert.False(result.Valid);
        Assert.Equal(7, result.FirstInvalidSeq);
        Assert.Equal(6, result.HeadSeq);
        Assert.Contains("hash does not match", result.Problem);
    }

    [Fact]
    public async Task ChangeAFieldToSomethingUnreadable_NamesThatEntry()
    {
        using var file = await TrailFile.CreateAsync(Count);
        await file.DropTriggersAsync();
        await file.ExecAsync("UPDATE audit_entries SET ActorId = 'not an id' WHERE Seq = 9");

        var result = await file.VerifyAsync();

        Assert.Equal((false, 9L), (result.Valid, result.FirstInvalidSeq));
        Assert.Contains("cannot be read", result.Problem);
    }

    [Fact]
    public async Task DeleteAnEntry_NamesTheMissingSeq()
    {
        using var file = await TrailFile.CreateAsync(Count);
        await file.DropTriggersAsync();
        await file.ExecAsync("DELETE FROM audit_entries WHERE Seq = 7");

        var result = await file.VerifyAsync();

        Assert.Equal((false, 7L), (result.Valid, result.FirstInvalidSeq));
        Assert.Contains("expected seq 7, found 8", result.Problem);
    }

    [Fact]
    public async Task SwapTwoEntries_NamesTheFirstOfThem()
    {
        using var file = await TrailFile.CreateAsync(Count);
        await file.DropTriggersAsync();
        await file.ExecAsync("UPDATE audit_entries SET Seq = -1 WHERE Seq = 7; UPDATE audit_entries SET Seq = 7 WHERE Seq = 12; UPDATE audit_entries SET Seq = 12 WHERE Seq = -1;");

        var result = await file.VerifyAsync();

        Assert.Equal((false, 7L), (result.Valid, result.FirstInvalidSeq));
    }

    [Fact]
    public async Task CutTheTail_IsCaughtOnlyByTheHead()
    {
        using var file = await TrailFile.CreateAsync(Count);
        var head = (await file.EntriesAsync())[^1];
        await file.DropTriggersAsync();
        await file.ExecAsync("DELETE FROM audit_entries WHERE Seq > 15");
        var treeLeft = await file.VerifyAsync();
        Assert.Equal((false, 16L), (treeLeft.Valid, treeLeft.FirstInvalidSeq));
        Assert.Contains("entries were removed", treeLeft.Problem);
        await file.RebuildTreeAsync();

        var alone = await file.VerifyAsync();
        Assert.True(alone.Valid, "a cut tail with its tree rebuilt is consistent; only a head given earlier shows it");
        Assert.Equal(15, alone.Count);

        var withHead = await file.VerifyAsync(new ExpectedHead(head.Seq, head.Hash));
        Assert.Equal((false, 16L), (withHead.Valid, withHead.FirstInvalidSeq));
        Assert.Contains("entries were removed", withHead.Problem);

        var withHashOnly = await file.VerifyAsync(new ExpectedHead(null, head.Hash));
        Assert.False(withHashOnly.Valid);
        Assert.Null(withHashOnly.FirstInvalidSeq);
        Assert.Contains("is not in the trail", withHashOnly.Problem);
    }

    [Fact]
    public async Task ForgedSuffix_RehashedConsistently_IsCaughtOnlyByTheHead()
    {
        using var file = await TrailFile.CreateAsync(Count);
        var original = await file.EntriesAsync();
        await file.DropTriggersAsync();

        // Rewrite entries 12…20 and re-hash them so that the chain itself is consistent again.
        await file.ExecAsync("DELETE FROM audit_entries WHERE Seq >= 12");
        var (seq, hash) = (original[10].Seq, original[10].Hash);
        foreach (var e in original.Skip(11))
        {
            var forged = AuditEntry.Append(seq, hash, new TrailFact(e.Action, new Actor(e.ActorId, e.ActorName), e.At, e.BoardId, e.ProposalId,
                new JsonObject { ["title"] = "Nothing to see here" }));
            await file.InsertAsync(forged);
            (seq, hash) = (forged.Seq, forged.Hash);
        }
        var treeLeft = await file.VerifyAsync();
        Assert.Equal((false, 12L), (treeLeft.Valid, treeLeft.FirstInvalidSeq));
        Assert.Contains("Merkle tree disagrees", treeLeft.Problem);
        await file.RebuildTreeAsync();

        var alone = await file.VerifyAsync();
        Assert.True(alone.Valid, "a re-hashed suffix with its tree rebuilt is consistent; only a head given earlier shows it");
        Assert.Equal(Count, alone.Count);
        Assert.NotEqual(original[^1].Hash, alone.HeadHash);

        var atHead = await file.VerifyAsync(new ExpectedHead(20, original[19].Hash));
        Assert.Equal((false, 20L), (atHead.Valid, atHead.FirstInvalidSeq));
        Assert.Contains("was rewritten", atHead.Problem);

        // A head written down at 14 is caught at 14; one written down at 11, before the forgery, still holds.
        Assert.Equal(14, (await file.VerifyAsync(new ExpectedHead(14, original[13].Hash))).FirstInvalidSeq);
        Assert.True((await file.VerifyAsync(new ExpectedHead(11, original[10].Hash))).Valid);
        Assert.True((await file.VerifyAsync(new ExpectedHead(null, original[10].Hash))).Valid);
        Assert.False((await file.VerifyAsync(new ExpectedHead(null, original[19].Hash))).Valid);
    }

    [Fact]
    public async Task TheDatabase_RefusesUpdateDeleteAndOutOfChainInserts_WhileTriggersExist()
    {
        using var file = await TrailFile.CreateAsync(Count);
        var entries = await file.EntriesAsync();

        var update = await Assert.ThrowsAsync<SqliteException>(() => file.ExecAsync("UPDATE audit_entries SET ActorName = 'x' WHERE Seq = 3"));
        Assert.Contains("append-only: UPDATE refused", update.Message);
        var delete = await Assert.ThrowsAsync<SqliteException>(() => file.ExecAsync("DELETE FROM audit_entries WHERE Seq = 20"));
        Assert.Contains("append-only: DELETE refused", delete.Message);

        var skipping = AuditEntry.Append(21, entries[^1].Hash, new TrailFact(TrailActions.CommentAdded, new Actor(null, "x"), DateTimeOffset.UnixEpoch, null, null, []));
        var badLink = AuditEntry.Append(20, entries[^2].Hash, new TrailFact(TrailActions.CommentAdded, new Actor(null, "x"), DateTimeOffset.UnixEpoch, null, null, []));
        foreach (var wrong in new[] { skipping, badLink })
        {
            var insert = await Assert.ThrowsAsync<SqliteException>(() => file.InsertAsync(wrong));
            Assert.Contains("does not extend the chain head", insert.Message);
        }

        Assert.Equal(entries.Select(e => e.Hash), (await file.EntriesAsync()).Select(e => e.Hash));
        Assert.True((await file.VerifyAsync()).Valid);
    }
}
