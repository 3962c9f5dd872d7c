using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Web.Boards;
using Board.Web.Trail;

namespace Board.Tests.Trail;

/// <summary>The trail over HTTP: listing with filters and keyset paging, head, verify against a head, and export — by role.</summary>
[Trait("Kind", "Api")]
public abstract class TrailApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : BoardApp
{
    [Theory]
    [InlineData("staff1")]
    [InlineData("ops1")]
    [InlineData("manager")]
    [InlineData("admin")]
    public async Task EveryRole_ReadsAndFiltersTheWholeTrail(string who)
    {
        using var session = await app.SignInAsync(who);
        var board = await app.FirstBoardAsync();

        var page = await ListAsync(session, $"boardId={board.Id}&action=proposal.posted&limit=5");

        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, e => Assert.Equal((board.Id, "proposal.posted"), (e.BoardId!.Value, e.Action)));
        Assert.True((await session.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!.Valid);
        Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/api/audit/head")).StatusCode);
    }

    [Theory]
    [InlineData("staff1")]
    [InlineData("ops1")]
    public async Task StaffAndOperations_CannotExport(string who)
    {
        using var session = await app.SignInAsync(who);
        foreach (var format in new[] { "csv", "jsonl" })
            await (await session.Client.GetAsync($"/api/audit/export?format={format}")).IsProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await app.Anonymous().GetAsync("/api/audit/export?format=csv")).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("manager")]
    [InlineData("admin")]
    public async Task ManagersAndAdmins_ExportCsv_WithStableColumns_TheRowsOfTheList_AndTheHead(string who)
    {
        using var session = await app.SignInAsync(who);

        var response = await session.Client.GetAsync("/api/audit/export?format=csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var headSeq = long.Parse(response.Headers.GetValues(TrailEndpoints.HeadSeqHeader).Single());
        var headHash = response.Headers.GetValues(TrailEndpoints.HeadHashHeader).Single();
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal("seq,at,actorId,actorName,action,boardId,proposalId,data,prevHash,hash", lines[0]);
        Assert.Equal($"# head seq={headSeq} hash={headHash}", lines[^2]);
        var rows = lines[1..^2].Select(AuditCommandTests.ParseCsv).ToList();

        var listed = await AllAsync(session, headSeq);
        Assert.Equal(listed.Select(e => e.Seq), rows.Select(r => long.Parse(r[0])));
        Assert.Equal(listed.Select(e => e.Hash), rows.Select(r => r[9]));
        Assert.Equal(listed.Select(e => e.Actor.Name), rows.Select(r => r[3]));
        Assert.Equal(headHash, listed[^1].Hash);
    }

    [Fact]
    public async Task ExportJsonl_AppliesTheFilters_AndEndsWithTheHeadOfItsSnapshot()
    {
        using var manager = await app.SignInAsync("manager");
        var board = await app.FirstBoardAsync();
        var all = await AllAsync(manager, long.MaxValue);
        var actor = all.First(e => e.BoardId == board.Id && e.Action == "approval.added").Actor.Id!.Value;

        var response = await manager.Client.GetAsync($"/api/audit/export?format=jsonl&boardId={board.Id}&actorId={actor}&action=approval.added");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        var rows = lines[..^1].Select(l => AuditCommandTests.FromJson(JsonDocument.Parse(l).RootElement)).ToList();
        var expected = all.Where(e => e.BoardId == board.Id && e.Actor.Id == actor && e.Action == "approval.added").Select(e => e.Seq);
        Assert.Equal(expected, rows.Select(r => r.Seq));
        Assert.All(rows, r => Assert.Equal(r.Hash, HashChain.Compute(r)));
        var head = JsonDocument.Parse(lines[^1]).RootElement.GetProperty("head");
        Assert.Equal(response.Headers.GetValues(TrailEndpoints.HeadSeqHeader).Single(), head.GetProperty("seq").GetInt64().ToString());
        Assert.Equal(response.Headers.GetValues(TrailEndpoints.HeadHashHeader).Single(), head.GetProperty("hash").GetString());
    }

    [Theory]
    [InlineData("format=xml", "format")]
    [InlineData("format=csv&action=proposal.vanished", "action")]
    [InlineData("format=jsonl&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    public async Task Export_RefusesBadInput_With400(string query, string field)
    {
        using var manager = await app.SignInAsync("manager");
        var problem = await (await manager.Client.GetAsync($"/api/audit/export?{query}")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task CombinedFilters_ReturnExactlyTheMatchingEntries()
    {
        using var staff = await app.SignInAsync("staff1");
        var board = await app.FirstBoardAsync();
        var all = await AllAsync(staff, long.MaxValue);
        var sample = all.First(e => e.BoardId == board.Id && e.Action == "approval.added");
        var from = DateTimeOffset.Parse(all[all.Count / 4].At);
        var to = DateTimeOffset.Parse(all[all.Count * 3 / 4].At);
        bool Matches(TrailEntryDto e, string action) => e.BoardId == board.Id && e.Action == action
            && DateTimeOffset.Parse(e.At) >= from && DateTimeOffset.Parse(e.At) < to;

        foreach (var action in new[] { "approval.added", "proposal.posted" })
        {
            var query = $"boardId={board.Id}&action={action}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&after=0&limit=500";
            var page = await ListAsync(staff, query);
            Assert.Equal(all.Where(e => Matches(e, action)).Select(e => e.Seq), page.Items.Select(e => e.Seq));
        }
        var byActor = await ListAsync(staff, $"actorId={sample.Actor.Id}&proposalId={sample.ProposalId}&after=0");
        Assert.Equal(all.Where(e => e.Actor.Id == sample.Actor.Id && e.ProposalId == sample.ProposalId).Select(e => e.Seq), byActor.Items.Select(e => e.Seq));
        Assert.Contains(byActor.Items, e => e.Seq == sample.Seq);
    }

    [Fact]
    public async Task KeysetPaging_BackwardAndForward_HasNoDuplicatesAndNoGaps()
    {
        using var ops = await app.SignInAsync("ops2");
        var first = await ListAsync(ops, "limit=7");
        var top = first.Items[0].Seq;
        var seen = new List<long>(first.Items.Select(e => e.Seq));
        for (var next = first.Next; next is not null;)
        {
            var page = await ListAsync(ops, $"before={next}&limit=7");
            seen.AddRange(page.Items.Select(e => e.Seq));
            next = page.Next;
        }
        Assert.Equal(Enumerable.Range(1, (int)top).Select(i => (long)i).Reverse(), seen);

        var forward = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await ListAsync(ops, $"after={after}&limit=9");
            forward.AddRange(page.Items.Select(e => e.Seq));
            if (page.Next is not { } n) break;
            after = n;
        }
        Assert.Equal(Enumerable.Range(1, forward.Count).Select(i => (long)i), forward);
        Assert.True(forward.Count >= top);

        var board = await app.FirstBoardAsync();
        var filtered = new List<long>();
        for (long? before = null; ;)
        {
            var page = await ListAsync(ops, $"boardId={board.Id}&limit=4" + (before is { } b ? $"&before={b}" : ""));
            filtered.AddRange(page.Items.Select(e => e.Seq));
            if ((before = page.Next) is null) break;
        }
        Assert.Equal(filtered.Distinct().OrderDescending(), filtered);
        var everything = await AllAsync(ops, long.MaxValue);
        Assert.Equal(everything.Where(e => e.BoardId == board.Id && e.Seq <= filtered[0]).Select(e => e.Seq).Reverse(), filtered);
    }

    [Fact]
    public async Task Head_IsTheLastEntry_AndVerifyAcceptsIt_ButNotAnotherHash()
    {
        using var staff = await app.SignInAsync("staff2");
        var head = (await staff.Client.GetFromJsonAsync<TrailHead>("/api/audit/head", BoardApp.Json))!;
        var last = (await AllAsync(staff, head.Seq))[^1];
        Assert.Equal((last.Seq, last.Hash, last.At), (head.Seq, head.Hash, head.At));

        var ok = (await staff.Client.GetFromJsonAsync<VerifyResult>($"/api/audit/verify?headSeq={head.Seq}&headHash={head.Hash}", BoardApp.Json))!;
        Assert.True(ok.Valid, ok.Problem);
        Assert.True((await staff.Client.GetFromJsonAsync<VerifyResult>($"/api/audit/verify?head={head.Hash}", BoardApp.Json))!.Valid);

        var other = (await staff.Client.GetFromJsonAsync<VerifyResult>($"/api/audit/verify?headSeq={head.Seq}&headHash={new string('a', 64)}", BoardApp.Json))!;
        Assert.Equal((false, head.Seq), (other.Valid, other.FirstInvalidSeq));
        var beyond = (await staff.Client.GetFromJsonAsync<VerifyResult>($"/api/audit/verify?headSeq={head.Seq + 1000}&headHash={new string('b', 64)}", BoardApp.Json))!;
        Assert.False(beyond.Valid);
        Assert.True(beyond.FirstInvalidSeq > head.Seq);

        await (await staff.Client.GetAsync("/api/audit/verify?head=xyz")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.GetAsync("/api/audit/verify?headSeq=3")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task History_StaysHistory_RenamesAndRoleChangesOnlyAppend()
    {
        using var admin = await app.SignInAsync("admin");
        var before = await AllAsync(admin, long.MaxValue);
        var board = (await admin.Client.PostAsJsonAsync("/api/boards", new { name = "Jeju store" }));
        var created = (await board.Content.ReadFromJsonAsync<BoardDto>(BoardApp.Json))!;
        using var ops4 = await app.SignInAsync("ops4");
        var ops4Entries = before.Where(e => e.Actor.Id == ops4.Member.Id).ToList();
        Assert.NotEmpty(ops4Entries);

        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync($"/api/boards/{created.Id}", new { name = "Jeju airport store" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync($"/api/members/{ops4.Member.Id}/roles", new { roles = new[] { "staff" } })).StatusCode);

        var after = await AllAsync(admin, long.MaxValue);
        var kept = after.Take(before.Count).ToList();
        Assert.Equal(before.Select(Json), kept.Select(Json));
        var boardEntries = after.Where(e => e.BoardId == created.Id).ToList();
        Assert.Equal(["board.created", "board.renamed"], boardEntries.Select(e => e.Action));
        Assert.Equal("Jeju store", boardEntries[0].Data.GetProperty("name").GetString());
        Assert.Equal("Jeju airport store", boardEntries[1].Data.GetProperty("to").GetString());
        Assert.Contains(after.Skip(before.Count), e => e.Action == "member.roles-changed");
        Assert.True((await admin.Client.GetFromJsonAsync<VerifyResult>($"/api/audit/verify?headSeq={before[^1].Seq}&headHash={before[^1].Hash}", BoardApp.Json))!.Valid);
    }

    private static string Json(TrailEntryDto e) => JsonSerializer.Serialize(e with { Proposal = null }, BoardApp.Json);

    private static async Task<TrailPage> ListAsync(Session session, string query) =>
        (await session.Client.GetFromJsonAsync<TrailPage>($"/api/audit?{query}", BoardApp.Json))!;

    /// <summary>Every entry up to <paramref name="maxSeq"/>, oldest first, through the list's forward paging.</summary>
    private static async Task<List<TrailEntryDto>> AllAsync(Session session, long maxSeq)
    {
        var all = new List<TrailEntryDto>();
        for (long after = 0; ;)
        {
            var page = await ListAsync(session, $"after={after}&limit=500");
            all.AddRange(page.Items.TakeWhile(e => e.Seq <= maxSeq));
            if (page.Next is not { } n || n >= maxSeq) break;
            after = n;
        }
        return all;
    }
}

public sealed class TrailApiTestsSqlite(BoardApp app) : TrailApiTests<BoardApp>(app);

public sealed class TrailApiTestsPostgres(PostgresBoardApp app) : TrailApiTests<PostgresBoardApp>(app);
