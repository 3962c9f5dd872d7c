using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Domain.Proposals;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Security;

/// <summary>
/// Nothing a member types breaks a read: Markdown nested or repeated past what the renderer handles goes through post,
/// edit, comment and preview and only ever gets 2xx or 4xx, and after each of them the proposal, the board's events,
/// the trail and the approval path still answer 200. A text the renderer rejects that reached the database anyway is
/// shown as escaped plain text.
/// </summary>
[Trait("Kind", "Api")]
public sealed class HostileMarkdownTests(BoardApp app) : IClassFixture<BoardApp>
{
    private static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));

    private static string Nested(int depth, Func<int, string> line) => string.Join("\n", Enumerable.Range(0, depth).Select(line));

    public static TheoryData<string, string> Corpus => new()
    {
        // Deep nesting of every construct.
        { "quotes", Repeat(">", 200) },
        { "spaced quotes", Repeat("> ", 200) + "x" },
        { "quote per line", Nested(300, i => new string('>', i + 1) + " x") },
        { "brackets", Repeat("[", 300) },
        { "ordered lists", Repeat("1. ", 3000) },
        { "bullet lists", Repeat("- ", 3000) + "x" },
        { "star lists", Repeat("* ", 3000) + "x" },
        { "plus lists", Repeat("+ ", 3000) + "x" },
        { "indented lists", Nested(300, i => new string(' ', i * 2) + "- x") },
        { "indented ordered lists", Nested(200, i => new string(' ', i * 3) + "1. x") },
        { "emphasis", Repeat("*a ", 2000) + Repeat("a* ", 2000) },
        { "strong", Repeat("**a", 1500) + Repeat("a**", 1500) },
        { "strike", Repeat("~~a", 1500) + Repeat("a~~", 1500) },
        { "links", Repeat("[a", 1000) + Repeat("](https://b.example)", 300) },
        { "images", Repeat("![", 3000) },
        { "link destinations", "[a](" + Repeat("(", 5000) },
        { "table columns", "|" + Repeat("a|", 2000) + "\n|" + Repeat("-|", 2000) + "\n" + Repeat("|x", 2000) },
        { "table rows", "|a|b|\n|-|-|\n" + Repeat("|x|y|\n", 1500) },
        { "table in quotes", Repeat("> ", 150) + "|a|b|\n|-|-|\n|x|y|" },
        // Long runs of every delimiter.
        { "runs", string.Concat("*_~`|#=-<>[]()!\\&".Select(c => new string(c, 600) + "\n\n")) },
        { "asterisks", new string('*', 10_000) },
        { "backticks", new string('`', 10_000) },
        { "pipes", new string('|', 10_000) },
        { "angles", new string('<', 10_000) },
        { "headings", Repeat("#", 5000) + " x" },
        // Entity floods.
        { "named entities", Repeat("&amp;", 3000) },
        { "numeric entities", Repeat("&#x1F600;", 1500) + Repeat("&#99999999;", 500) },
        { "half entities", Repeat("&", 5000) + Repeat("&#", 2000) },
        // Mixed.
        { "mixed nesting", Repeat("> - 1. *[", 1000) },
        { "lists in quotes", Repeat("- > ", 2000) },
        { "everything", Repeat("> * [**~~`a&amp;|", 500) },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task HostileMarkdown_GetsOnly2xxOr4xx_AndEveryReadStillAnswers(string name, string text)
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        using var other = await app.SignInAsync("staff2");
        var body = text[..Math.Min(text.Length, Proposal.BodyMax)];

        var posted = await author.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = "Hostile " + name, body });
        await AssertNoFaultAsync(posted, "post");
        var proposal = posted.IsSuccessStatusCode
            ? (await posted.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!
            : await author.PostAsync(board.Id, "Victim of " + name);
        await AssertReadsAsync(other, proposal);

        var edited = await author.Client.PutAsJsonAsync($"/api/proposals/{proposal.Id}", new { title = proposal.Title, body });
        await AssertNoFaultAsync(edited, "edit");
        await AssertReadsAsync(other, proposal);

        var commented = await other.Client.PostAsJsonAsync($"/api/proposals/{proposal.Id}/comments", new { body = text[..Math.Min(text.Length, Comment.BodyMax)] });
        await AssertNoFaultAsync(commented, "comment");
        await AssertReadsAsync(author, proposal);

        await AssertNoFaultAsync(await other.Client.PostAsJsonAsync("/api/preview", new { body }), "preview");

        foreach (var approver in new[] { "ops1", "ops2", "ops3" })
        {
            using var ops = await app.SignInAsync(approver);
            var approved = await ops.ApproveAsync(proposal.Id);
            Assert.True(approved.StatusCode == HttpStatusCode.OK, $"{approver} approving after {name}: {(int)approved.StatusCode} {await approved.Content.ReadAsStringAsync()}");
            await AssertReadsAsync(author, proposal);
        }
        Assert.Equal("executed", (await author.GetAsync(proposal.Id)).Status);
    }

    [Fact]
    public async Task TooDeepMarkdown_IsRefusedOnEveryWrite_NamingTheField_AndNothingIsStored()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        var proposal = await author.PostAsync(board.Id, "Flat text");
        var tooDeep = Repeat(">", 200);

        var post = await author.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = "Deep", body = tooDeep });
        AssertNamesBody(await post.IsProblemAsync(HttpStatusCode.BadRequest, "validation"));
        var edit = await author.Client.PutAsJsonAsync($"/api/proposals/{proposal.Id}", new { title = "Deep", body = Repeat("[", 300) });
        AssertNamesBody(await edit.IsProblemAsync(HttpStatusCode.BadRequest, "validation"));
        var comment = await author.Client.PostAsJsonAsync($"/api/proposals/{proposal.Id}/comments", new { body = Repeat("1. ", 1600) });
        AssertNamesBody(await comment.IsProblemAsync(HttpStatusCode.BadRequest, "validation"));
        var preview = await author.Client.PostAsJsonAsync("/api/preview", new { body = Repeat("1. ", 3000) });
        AssertNamesBody(await preview.IsProblemAsync(HttpStatusCode.BadRequest, "validation"));

        var after = await author.GetAsync(proposal.Id);
        Assert.Equal(proposal.Body, after.Body);
        Assert.Equal("Flat text", after.Title);
        Assert.Empty(after.Comments);
        Assert.Equal(proposal.Version, after.Version);
    }

    [Fact]
    public async Task StoredTextTheRendererRejects_IsShownAsEscapedPlainText()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff3");
        var proposal = await author.PostAsync(board.Id, "Stored before the rule");
        var comment = await author.Client.PostAsJsonAsync($"/api/proposals/{proposal.Id}/comments", new { body = "A comment" });
        var commentId = (await comment.Content.ReadFromJsonAsync<CommentDto>(BoardApp.Json))!.Id;
        // As an older row or a future renderer would leave it: straight into the database, past every check.
        var stored = "<b>bold?</b> & " + Repeat(">", 200) + "\n" + Repeat("[", 300);
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            Assert.Equal(1, await db.Proposals.Where(p => p.Id == proposal.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Body, stored)));
            Assert.Equal(1, await db.Set<Comment>().Where(c => c.Id == commentId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Body, stored)));
        }
        var renderer = app.Services.GetRequiredService<MarkdownRenderer>();
        Assert.False(renderer.CanRender(stored));

        var read = await author.GetAsync(proposal.Id);
        Assert.Equal(stored, read.Body);
        var expected = "<p>&lt;b&gt;bold?&lt;/b&gt; &amp; " + Repeat("&gt;", 200) + "<br>\n" + Repeat("[", 300) + "</p>";
        Assert.Equal(expected, read.BodyHtml);
        Assert.Equal(expected, read.Comments.Single().BodyHtml);
        await AssertReadsAsync(author, proposal);
        await app.ApproveAsAsync(proposal.Id);
        await AssertReadsAsync(author, proposal);
    }

    private static void AssertNamesBody(JsonElement problem) =>
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());

    private static async Task AssertNoFaultAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        Assert.True(status is >= 200 and < 500, $"{what}: {status} {await response.Content.ReadAsStringAsync()}");
        if (status >= 400) await response.IsProblemAsync(response.StatusCode, "validation");
    }

    /// <summary>The proposal, the board's latest events (each with its proposal), the trail and the board's list: every read answers 200.</summary>
    private static async Task AssertReadsAsync(Session reader, ProposalDto proposal)
    {
        var head = (await reader.Client.GetFromJsonAsync<JsonElement>("/api/audit?limit=1", BoardApp.Json)).GetProperty("headSeq").GetInt64();
        foreach (var url in new[]
        {
            $"/api/proposals/{proposal.Id}",
            $"/api/boards/{proposal.BoardId}/events?after={Math.Max(0, head - 10)}",
            $"/api/audit?proposalId={proposal.Id}",
            "/api/audit?limit=50",
            $"/api/boards/{proposal.BoardId}/proposals",
        })
        {
            var response = await reader.Client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
