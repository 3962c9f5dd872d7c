using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Trail;
using Board.Web.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Trail;

/// <summary>
/// The trail as a Merkle tree over HTTP: the stored tree agrees with the chain after concurrent commits, checkpoints
/// are signed notes the published key opens, and inclusion and consistency proofs verify against them — on both providers.
/// </summary>
[Trait("Kind", "Api")]
public abstract class TrailProofTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : BoardApp
{
    [Fact]
    public async Task StoredTree_AgreesWithTheChain_AfterConcurrentCommits()
    {
        var board = await app.FirstBoardAsync();
        var authors = await Task.WhenAll(new[] { "staff1", "staff2", "staff3" }.Select(w => app.SignInAsync(w)));
        await Task.WhenAll(authors.SelectMany(a => Enumerable.Range(0, 4).Select(i => a.PostAsync(board.Id, $"Tree {a.Member.DisplayName} {i}"))));

        var (entries, treeSize, root) = await ReadAsync();
        Assert.Equal(entries.Count, treeSize);
        var builder = new MerkleTree.Builder();
        foreach (var e in entries) builder.Append(MerkleTree.LeafOf(e));
        Assert.Equal(Convert.ToHexString(builder.Root()), Convert.ToHexString(root));
        foreach (var a in authors) a.Dispose();
    }

    [Fact]
    public async Task Checkpoint_IsASignedNote_ThePublishedKeyOpens_AndProofsVerifyAgainstIt()
    {
        using var staff = await app.SignInAsync("staff1");
        await staff.PostAsync((await app.FirstBoardAsync()).Id, "Checkpoint me");
        var first = await app.Services.GetRequiredService<CheckpointWriter>().MakeAsync(force: true, default);
        Assert.NotNull(first);

        using var anyone = app.Anonymous();
        var key = SignedNote.ParseVerifierKey(await anyone.GetStringAsync("/api/audit/key"))!;
        var note = await anyone.GetStringAsync("/api/audit/checkpoint");
        var checkpoint = Checkpoint.Parse(SignedNote.Open(note, key)!)!;
        Assert.Equal(first!.Size, checkpoint.Size);
        Assert.Equal(key.Name, checkpoint.Origin);

        var (entries, _, _) = await ReadAsync();
        foreach (var seq in new[] { 1L, checkpoint.Size / 2, checkpoint.Size })
        {
            var proof = (await staff.Client.GetFromJsonAsync<InclusionProofDto>($"/api/audit/proof/inclusion?seq={seq}&size={checkpoint.Size}", BoardApp.Json))!;
            var leaf = MerkleTree.LeafOf(entries[(int)seq - 1]);
            Assert.Equal(Convert.ToBase64String(leaf), proof.LeafHash);
            Assert.True(MerkleTree.VerifyInclusion(seq - 1, checkpoint.Size, leaf, [.. proof.Hashes.Select(Convert.FromBase64String)], checkpoint.Root));
        }

        await staff.PostAsync((await app.FirstBoardAsync()).Id, "And grow");
        var second = (await app.Services.GetRequiredService<CheckpointWriter>().MakeAsync(force: true, default))!;
        var listed = (await staff.Client.GetFromJsonAsync<List<CheckpointDto>>($"/api/audit/checkpoints?after={checkpoint.Size}", BoardApp.Json))!;
        var later = Checkpoint.Parse(SignedNote.Open(Assert.Single(listed, c => c.Size == second.Size).Checkpoint, key)!)!;
        var consistency = (await staff.Client.GetFromJsonAsync<ConsistencyProofDto>($"/api/audit/proof/consistency?from={checkpoint.Size}&to={later.Size}", BoardApp.Json))!;
        Assert.True(MerkleTree.VerifyConsistency(checkpoint.Size, later.Size, checkpoint.Root, later.Root, [.. consistency.Hashes.Select(Convert.FromBase64String)]));

        // Verify starts from the last verified checkpoint once one is verified, and costs only what came after it.
        var full = (await staff.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify?full=true", BoardApp.Json))!;
        Assert.True(full.Valid, full.Problem);
        Assert.Equal((0L, later.Size), (full.VerifiedFrom, full.CheckpointSize!.Value));
        await staff.PostAsync((await app.FirstBoardAsync()).Id, "After the verified one");
        var quick = (await staff.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!;
        Assert.True(quick.Valid, quick.Problem);
        Assert.Equal(later.Size, quick.VerifiedFrom);
        Assert.Equal(quick.HeadSeq - later.Size, quick.Count);
    }

    [Fact]
    public async Task SizesBeyondTheTree_Are400_AndProofsAreForMembers()
    {
        using var staff = await app.SignInAsync("staff1");
        var (_, size, _) = await ReadAsync();
        foreach (var query in new[] { $"inclusion?seq=1&size={size + 1000}", $"inclusion?seq={size + 1000}", "inclusion?seq=0", "inclusion",
                     $"consistency?from=1&to={size + 1000}", "consistency?from=5&to=3", "consistency?from=0" })
            await (await staff.Client.GetAsync("/api/audit/proof/" + query)).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.GetAsync("/api/audit/checkpoints?after=-1")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        using var anyone = app.Anonymous();
        await (await anyone.GetAsync("/api/audit/proof/inclusion?seq=1")).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await anyone.GetAsync("/api/audit/checkpoints")).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private async Task<(List<AuditEntry> Entries, long TreeSize, byte[] Root)> ReadAsync()
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(app.Database, default);
        var entries = new List<AuditEntry>();
        await foreach (var e in TrailReader.ReadAsync(snapshot, TrailFilter.All, long.MaxValue, default)) entries.Add(e);
        var size = await TrailTree.SizeAsync(snapshot, default);
        return (entries, size, await TrailTree.RootAsync(TrailTree.From(snapshot), size, default));
    }
}

[Trait("Kind", "Api")]
public sealed class SqliteTrailProofTests(BoardApp app) : TrailProofTests<BoardApp>(app);

[Trait("Kind", "Api")]
public sealed class PostgresTrailProofTests(PostgresBoardApp app) : TrailProofTests<PostgresBoardApp>(app);

/// <summary>
/// A checkpoint leaves Board through a webhook, signed like every delivery; then whoever holds the database rewrites
/// the whole chain and rebuilds the tree consistently. The database agrees with itself; the receiver's copy does not.
/// </summary>
[Trait("Kind", "Api")]
public sealed class CheckpointWebhookTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    [Fact]
    public async Task ReceiversCopy_CatchesAWholeChainRewrittenConsistently()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.SignInAsync("admin");
        var board = await app.FirstBoardAsync();
        var hook = await admin.AddWebhookAsync(board.Id, receiver.Url, "a-long-enough-secret-1", Board.Domain.Trail.Checkpoint.Event);
        var made = (await app.Services.GetRequiredService<CheckpointWriter>().MakeAsync(force: true, default))!;

        Assert.True(await receiver.WaitUntilAsync(c => c.Any(r => r.Event == "trail.checkpoint"), TimeSpan.FromSeconds(30)));
        var received = Assert.Single(receiver.Calls, r => r.Event == "trail.checkpoint");
        Assert.Equal(WebhookDispatcher.Sign(hook.Secret, received.Body), received.Signature);
        var copy = JsonSerializer.Deserialize<CheckpointDto>(received.Body, BoardApp.Json)!;
        Assert.Equal(made.Size, copy.Size);
        Assert.DoesNotContain(receiver.Calls, r => r.Event != "trail.checkpoint");
        var keyFile = Path.Combine(app.Folder, "received.vkey");
        var checkpointFile = Path.Combine(app.Folder, "received.checkpoint");
        await File.WriteAllTextAsync(keyFile, await app.Anonymous().GetStringAsync("/api/audit/key"));
        await File.WriteAllTextAsync(checkpointFile, copy.Checkpoint);
        Assert.Equal(AuditCommand.Valid, await AuditAsync("verify", "--db", app.DatabasePath, "--checkpoint", checkpointFile, "--key", keyFile));

        // Every entry rewritten with other data, re-chained, the tree rebuilt and the kept checkpoints dropped.
        using var file = TrailFile.Open(app.DatabasePath);
        await file.DropTriggersAsync();
        var original = await file.EntriesAsync();
        await file.ExecAsync("DELETE FROM trail_checkpoints");
        var (seq, hash) = (0L, HashChain.Genesis);
        foreach (var e in original)
        {
            var data = e.Seq == 3 ? new System.Text.Json.Nodes.JsonObject { ["title"] = "Something else was decided" } : System.Text.Json.Nodes.JsonNode.Parse(e.Data)!.AsObject();
            var forged = AuditEntry.Append(seq, hash, new TrailFact(e.Action, e.Actor, e.At, e.BoardId, e.ProposalId, data));
            await file.ExecAsync("UPDATE audit_entries SET Data = $d, PrevHash = $p, Hash = $h WHERE Seq = $s",
                ("$d", forged.Data), ("$p", forged.PrevHash), ("$h", forged.Hash), ("$s", forged.Seq));
            (seq, hash) = (forged.Seq, forged.Hash);
        }
        await file.RebuildTreeAsync();
        using var staff = await app.SignInAsync("staff1");
        var inside = (await staff.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify?full=true", BoardApp.Json))!;
        Assert.True(inside.Valid, "the database agrees with itself");

        var (exit, output) = await AuditWithOutputAsync("verify", "--db", app.DatabasePath, "--checkpoint", checkpointFile, "--key", keyFile);
        Assert.Equal(AuditCommand.Invalid, exit);
        Assert.Contains($"does not have the root of the checkpoint at size {made.Size}", output);
    }

    private static async Task<int> AuditAsync(params string[] args) => (await AuditWithOutputAsync(args)).Exit;

    private static async Task<(int Exit, string Output)> AuditWithOutputAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await AuditCommand.RunAsync(args, stdout, stderr, default);
        return (exit, stdout + "\n" + stderr);
    }
}
