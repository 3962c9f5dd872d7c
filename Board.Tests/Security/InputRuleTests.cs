using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Board.Domain;
using Board.Domain.Members;
using Board.Web.Trail;

namespace Board.Tests.Security;

/// <summary>Names and titles are plain text; numbers stay in range; a request that does not bind reads like any other validation problem.</summary>
[Trait("Kind", "Api")]
public sealed class InputRuleTests(BoardApp app) : IClassFixture<BoardApp>
{
    public static TheoryData<string> Spoofing =>
    [
        "Invoice\u202Egpj.exe", "a\u202Ab", "a\u202Bb", "a\u202Cb", "a\u202Db", "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b",
        "a\u200Eb", "a\u200Fb", "a\u0000b", "a\u0007b", "a\u001Bb", "a\u007Fb", "a\u0085b", "a\u009Bb", "line\nbreak", "tab\there",
    ];

    [Theory]
    [MemberData(nameof(Spoofing))]
    public async Task EveryNameAndTitle_RefusesControlAndBidiCharacters_NamingTheField(string text)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var mine = await staff.PostAsync(board.Id, "Plain title");
        var before = await HeadAsync(admin);

        await ExpectFieldAsync(staff.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = text, body = "x" }), "title");
        await ExpectFieldAsync(staff.Client.PutAsJsonAsync($"/api/proposals/{mine.Id}", new { title = text, body = "x" }), "title");
        await ExpectFieldAsync(admin.Client.PostAsJsonAsync("/api/boards", new { name = text }), "name");
        await ExpectFieldAsync(admin.Client.PutAsJsonAsync($"/api/boards/{board.Id}", new { name = text }), "name");
        await ExpectFieldAsync(admin.Client.PostAsJsonAsync("/api/members", new { email = $"x{Guid.NewGuid():N}@test.board", displayName = text, password = "Long-enough-1!", roles = new[] { "staff" } }), "displayName");
        await ExpectFieldAsync(admin.Client.PostAsJsonAsync($"/api/boards/{board.Id}/webhooks", new { url = $"https://example.org/{text}", secret = "a-receiver-secret-of-some-length" }), "url");

        Assert.Equal(before, await HeadAsync(admin));
    }

    [Theory]
    [InlineData("a\u202Eb")]
    [InlineData("a\u2066b")]
    [InlineData("a\u0000b")]
    [InlineData("a\u001Bb")]
    public async Task Bodies_RefuseThemToo_ButKeepLineBreaksAndTabs(string text)
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff2");
        var mine = await staff.PostAsync(board.Id, "Body rule", "first line\n\tindented\r\nlast");
        await ExpectFieldAsync(staff.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = "t", body = text }), "body");
        await ExpectFieldAsync(staff.Client.PostAsJsonAsync($"/api/proposals/{mine.Id}/comments", new { body = text }), "body");
    }

    [Fact]
    public void TheRule_BelongsToTheDomain()
    {
        var refusal = Assert.Throws<Refusal>(() => Member.ValidName("Eve\u202E"));
        Assert.True(refusal.Errors.ContainsKey("displayName"));
        Assert.Equal("Eve", Member.ValidName("  Eve "));
    }

    [Theory]
    [InlineData("page=42949674")]
    [InlineData("page=2147483647")]
    public async Task HugePages_AreRefused_NotWrappedToTheFirstPage(string query)
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        foreach (var route in new[] { $"/api/boards/{board.Id}/proposals", "/api/me/proposals" })
        {
            var response = await staff.Client.GetAsync($"{route}?{query}");
            var problem = await response.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
            Assert.True(problem.GetProperty("errors").TryGetProperty("page", out _), route);
        }
    }

    [Fact]
    public async Task TheLastPageThatExists_IsEmpty_NotPageOne()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var page = await staff.Client.GetFromJsonAsync<JsonElement>($"/api/boards/{board.Id}/proposals?page=42949672");
        Assert.Equal(0, page.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("{\"title\":", "title")]
    [InlineData("{\"title\":5,\"body\":\"x\"}", "title")]
    [InlineData("{\"title\":\"x\",\"body\":[]}", "body")]
    [InlineData("{\"title\":\"x\",\"reverses\":\"not-an-id\"}", "reverses")]
    [InlineData("[]", "body")]
    public async Task BindingFailures_LookLikeEveryOtherValidationProblem(string json, string field)
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var response = await staff.Client.PostAsync($"/api/boards/{board.Id}/proposals", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await response.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        AssertNoFrameworkWording(problem.ToString());
    }

    [Theory]
    [InlineData("page=abc", "page")]
    [InlineData("page=99999999999", "page")]
    [InlineData("reverses=nope", "reverses")]
    public async Task QueryBindingFailures_NameTheParameter(string query, string field)
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var problem = await (await staff.Client.GetAsync($"/api/boards/{board.Id}/proposals?{query}")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        AssertNoFrameworkWording(problem.ToString());
    }

    internal static void AssertNoFrameworkWording(string text)
    {
        foreach (var word in new[] { "System.", "Int32", "Nullable", "Guid ", "parameter \"", "JSON value could not be converted", "LineNumber", "BytePosition" })
            Assert.DoesNotContain(word, text);
    }

    private static async Task ExpectFieldAsync(Task<HttpResponseMessage> sending, string field)
    {
        var problem = await (await sending).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private static async Task<long> HeadAsync(Session s) =>
        (await s.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!.HeadSeq;
}
