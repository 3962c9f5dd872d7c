using System.Net;
using System.Net.Http.Json;
using System.Text;
using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Tests.Security;

/// <summary>Bad input gets a 4xx problem with a code, never a 5xx, and changes nothing.</summary>
[Trait("Kind", "Api")]
public sealed class HostileInputTests(BoardApp app) : IClassFixture<BoardApp>
{
    public static TheoryData<string> HostileMarkdown =>
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "![x](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<svg onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "[x](https://ok.example \"title\" onmouseover=alert(1))",
        "<https://ok.example/\" onmouseover=\"alert(1)>",
        "{.onclick=alert(1)}\n# Heading {onclick=alert(1)}",
        "<details open ontoggle=alert(1)>",
        "`<script>` in code is fine",
    ];

    [Theory]
    [MemberData(nameof(HostileMarkdown))]
    public async Task HostileMarkdown_IsRenderedHarmless(string body)
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var proposal = await staff.PostAsync(board.Id, "Hostile", body);
        var html = (await staff.GetAsync(proposal.Id)).BodyHtml;
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument($"<body>{html}</body>");
        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            Assert.DoesNotContain(element.LocalName, new[] { "script", "img", "iframe", "svg", "details", "style", "object", "embed" });
            Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name is "style" or "src");
            if (element.GetAttribute("href") is { } href)
                Assert.Matches("^(https?|mailto):", href);
        }
        Assert.Equal(body.Trim(), proposal.Body);
    }

    [Fact]
    public void SafeMarkdown_KeepsLinksAndFormatting()
    {
        var html = new MarkdownRenderer().ToHtml("**bold** [site](https://example.com) <mailto:a@b.c>\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("href=\"https://example.com\"", html);
        Assert.Contains("rel=\"noopener noreferrer nofollow\"", html);
        Assert.Contains("<table>", html);
    }

    [Fact]
    public async Task BadRequests_AreProblems_AndChangeNothing()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff2");
        var proposal = await staff.PostAsync(board.Id);
        var before = await HeadAsync(staff);
        var url = $"/api/boards/{board.Id}/proposals";

        var empty = await staff.Client.PostAsJsonAsync(url, new { title = "", body = "x" });
        Assert.True((await empty.IsProblemAsync(HttpStatusCode.BadRequest, "validation")).GetProperty("errors").TryGetProperty("title", out _));
        var blank = await staff.Client.PostAsJsonAsync(url, new { title = "   ", body = "x" });
        Assert.True((await blank.IsProblemAsync(HttpStatusCode.BadRequest, "validation")).GetProperty("errors").TryGetProperty("title", out _));
        var longTitle = await staff.Client.PostAsJsonAsync(url, new { title = new string('t', 121), body = "x" });
        await longTitle.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        var longBody = await staff.Client.PostAsJsonAsync(url, new { title = "ok", body = new string('b', 20_001) });
        Assert.True((await longBody.IsProblemAsync(HttpStatusCode.BadRequest, "validation")).GetProperty("errors").TryGetProperty("body", out _));
        await (await staff.Client.PostAsync(url, Json("{\"title\":"))).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.PostAsync(url, Json("{\"title\":5,\"body\":[]}"))).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.PostAsync(url, Json("null"))).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.PostAsync(url, new StringContent("title=x", Encoding.UTF8, "text/plain"))).IsProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        // Expect: 100-continue lets the server refuse before the client sends 400 KB it will not read.
        using var hugeRequest = new HttpRequestMessage(HttpMethod.Post, url) { Content = Json($"{{\"title\":\"x\",\"body\":\"{new string('b', 400_000)}\"}}") };
        hugeRequest.Headers.ExpectContinue = true;
        var huge = await staff.Client.SendAsync(hugeRequest);
        await huge.IsProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too-large");
        await (await staff.Client.PostAsJsonAsync($"/api/boards/{Guid.NewGuid()}/proposals", new { title = "x", body = "y" })).IsProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await staff.Client.GetAsync($"/api/proposals/{Guid.NewGuid()}")).IsProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await staff.Client.GetAsync("/api/proposals/not-a-guid")).IsProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await staff.Client.GetAsync($"{url}?status=bogus")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.GetAsync("/api/audit?action=bogus")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.PostAsJsonAsync(url, new { title = "x", body = "y", reverses = proposal.Id })).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.PutAsJsonAsync($"/api/proposals/{proposal.Id}", new { title = "", body = "" })).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.PostAsJsonAsync($"/api/proposals/{proposal.Id}/comments", new { body = "" })).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await staff.Client.PostAsJsonAsync($"/api/proposals/{proposal.Id}/complete", new { note = "x" })).IsProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await staff.Client.DeleteAsync($"/api/proposals/{proposal.Id}/approvals/me")).IsProblemAsync(HttpStatusCode.Conflict, "not-approved");
        await (await staff.Client.PostAsJsonAsync("/api/boards", new { name = "Mine" })).IsProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await staff.Client.GetAsync("/api/members")).IsProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var after = await HeadAsync(staff);
        Assert.Equal(before, after);
        Assert.Equal(proposal.Version, (await staff.GetAsync(proposal.Id)).Version);
    }

    [Fact]
    public async Task AMemberWithBadInput_IsRefusedWithFieldErrors()
    {
        using var admin = await app.SignInAsync("admin");
        var before = await HeadAsync(admin);
        var weak = await admin.Client.PostAsJsonAsync("/api/members", new { email = "weak@test.board", displayName = "Weak", password = "short", roles = new[] { "staff" } });
        await weak.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        var role = await admin.Client.PostAsJsonAsync("/api/members", new { email = "role@test.board", displayName = "Role", password = "Long-enough1!", roles = new[] { "chef" } });
        Assert.True((await role.IsProblemAsync(HttpStatusCode.BadRequest, "validation")).GetProperty("errors").TryGetProperty("roles", out _));
        var duplicate = await admin.Client.PostAsJsonAsync("/api/members", new { email = "staff1@demo.board", displayName = "Again", password = "Long-enough1!", roles = new[] { "staff" } });
        Assert.True((await duplicate.IsProblemAsync(HttpStatusCode.BadRequest, "validation")).GetProperty("errors").TryGetProperty("email", out _));
        Assert.Equal(before, await HeadAsync(admin));
        var list = await admin.Client.GetFromJsonAsync<List<Board.Web.Auth.MemberDto>>("/api/members", BoardApp.Json);
        Assert.DoesNotContain(list!, m => m.Email is "weak@test.board" or "role@test.board");
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<long> HeadAsync(Session s) =>
        (await s.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!.HeadSeq;
}
