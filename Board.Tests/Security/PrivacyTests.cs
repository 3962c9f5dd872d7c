using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Auth;

namespace Board.Tests.Security;

/// <summary>The trail is open to every member: it names people and their roles, never their email.</summary>
[Trait("Kind", "Api")]
public sealed class PrivacyTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task NoTrailEntry_CarriesAnEmail()
    {
        using var admin = await app.SignInAsync("admin");
        var email = $"private-{Guid.NewGuid():N}@test.board";
        (await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = "Private Person", password = "Long-enough-1!", roles = new[] { "staff" } }))
            .EnsureSuccessStatusCode();
        var members = (await admin.Client.GetFromJsonAsync<List<MemberDto>>("/api/members", BoardApp.Json))!;

        var export = await admin.Client.GetStringAsync("/api/audit/export?format=jsonl");

        Assert.NotEmpty(members);
        foreach (var member in members) Assert.DoesNotContain(member.Email, export, StringComparison.OrdinalIgnoreCase);
        var created = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("action", out var a) && a.GetString() == "member.created").ToList();
        Assert.NotEmpty(created);
        Assert.All(created, e =>
        {
            var data = e.GetProperty("data");
            Assert.False(data.TryGetProperty("email", out _));
            Assert.True(data.TryGetProperty("displayName", out _));
            Assert.True(data.TryGetProperty("roles", out _));
        });
    }
}
