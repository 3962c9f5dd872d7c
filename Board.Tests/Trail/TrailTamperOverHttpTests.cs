using System.Net.Http.Json;
using Board.Web.Trail;

namespace Board.Tests.Trail;

/// <summary>The running app's own file is tampered with behind its back; <c>/api/audit/verify</c> must say where.</summary>
[Trait("Kind", "Api")]
public sealed class TrailTamperOverHttpTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task VerifyOverHttp_NamesAChangedEntry_AndACutTailOnlyWithTheHead()
    {
        using var manager = await app.SignInAsync("manager");
        var head = (await manager.Client.GetFromJsonAsync<TrailHead>("/api/audit/head", BoardApp.Json))!;
        Assert.True(head.Seq > 10);
        using var file = TrailFile.Open(app.DatabasePath);
        await file.DropTriggersAsync();

        await file.ExecAsync("DELETE FROM audit_entries WHERE Seq > $s", ("$s", head.Seq - 2));
        var treeLeft = await VerifyAsync(manager, "?full=true");
        Assert.Equal((false, head.Seq - 1), (treeLeft.Valid, treeLeft.FirstInvalidSeq));
        // A careful forger also rebuilds the tree and drops the checkpoints kept inside: then only a head kept outside tells.
        await file.RebuildTreeAsync();
        await file.ExecAsync("DELETE FROM trail_checkpoints");
        Assert.True((await VerifyAsync(manager, "")).Valid);
        var cut = await VerifyAsync(manager, $"?headSeq={head.Seq}&headHash={head.Hash}");
        Assert.Equal((false, head.Seq - 1), (cut.Valid, cut.FirstInvalidSeq));

        await file.ExecAsync("UPDATE audit_entries SET ActorName = 'Nobody' WHERE Seq = 5");
        var changed = await VerifyAsync(manager, "?full=true");
        Assert.Equal((false, 5L, 4L), (changed.Valid, changed.FirstInvalidSeq, changed.HeadSeq));
    }

    private static async Task<VerifyResult> VerifyAsync(Session session, string query) =>
        (await session.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify" + query, BoardApp.Json))!;
}
