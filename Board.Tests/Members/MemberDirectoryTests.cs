using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Auth;

namespace Board.Tests.Members;

/// <summary><c>GET /api/members/directory</c>: every member's id and name, for every signed-in member, and nothing more.</summary>
[Trait("Kind", "Api")]
public sealed class MemberDirectoryTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Theory]
    [InlineData("staff1")]
    [InlineData("ops1")]
    [InlineData("manager")]
    [InlineData("admin")]
    public async Task Directory_ListsEveryMembersIdAndName_ForEveryRole(string who)
    {
        using var session = await app.SignInAsync(who);
        var response = await session.Client.GetAsync("/api/members/directory");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var people = JsonSerializer.Deserialize<List<PersonDto>>(text, BoardApp.Json)!;
        Assert.Contains(people, p => p.Id == session.Member.Id && p.Name == session.Member.DisplayName);
        Assert.True(people.Count >= 9, $"the demo sign-ins alone are 9 members; got {people.Count}");
        Assert.Equal(people.Count, people.Select(p => p.Id).Distinct().Count());
        // Names only: emails and roles stay on the admin's /api/members.
        Assert.DoesNotContain("@", text);
        foreach (var person in JsonDocument.Parse(text).RootElement.EnumerateArray())
            Assert.Equal(["id", "name"], person.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Directory_RefusesAnonymous_WhileMembersStaysAdminOnly()
    {
        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/members/directory")).StatusCode);
        using var manager = await app.SignInAsync("manager");
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.Client.GetAsync("/api/members")).StatusCode);
    }
}
