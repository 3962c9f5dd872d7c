using System.Net;
using System.Net.Http.Json;
using Board.Domain.Members;
using Board.Web.Demo;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Members;

/// <summary>
/// The last active administrator can be neither demoted nor deactivated, however the requests race: the acting
/// administrator is re-checked under the write lock, and the change that would leave nobody is refused with
/// <c>last-admin</c>. Two administrators are the only ones (the demo administrator steps down first); in each round
/// they turn on each other, or both step down, at the same instant.
/// </summary>
[Trait("Kind", "Api")]
public abstract class LastAdminRaceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : BoardApp
{
    private const int Rounds = 50;

    [Fact]
    public async Task TwoAdministrators_DemotingOrDeactivatingEachOther_AtTheSameInstant_AlwaysLeaveOneActiveAdministrator()
    {
        var (first, second) = await OnlyTwoAdministratorsAsync();
        var outcomes = new Dictionary<string, int>();
        for (var round = 0; round < Rounds; round++)
        {
            using var a = await app.SignInAsync(first);
            using var b = await app.SignInAsync(second);
            var kind = (round % 3) switch { 0 => "demote each other", 1 => "deactivate each other", _ => "both step down" };
            var (toA, toB) = kind switch
            {
                "demote each other" => (SetRoles(b, a.Member.Id, Roles.Staff), SetRoles(a, b.Member.Id, Roles.Staff)),
                "deactivate each other" => (Deactivate(b, a.Member.Id), Deactivate(a, b.Member.Id)),
                _ => (SetRoles(a, a.Member.Id, Roles.Staff), SetRoles(b, b.Member.Id, Roles.Staff)),
            };
            using var barrier = new Barrier(2);
            var responses = await Task.WhenAll(Task.Run(() => { barrier.SignalAndWait(); return toA(); }), Task.Run(() => { barrier.SignalAndWait(); return toB(); }));

            var admins = await ActiveAdministratorsAsync();
            Assert.True(admins.Count >= 1, $"Round {round} ({kind}) left no active administrator: {string.Join(", ", responses.Select(r => (int)r.StatusCode))}");
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            var refused = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK);
            // The loser is refused under the write lock (no longer an administrator, no longer active, or the last one
            // left) or, when the winner committed before it arrived, already by its revoked session.
            var problem = await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(BoardApp.Json);
            var answer = $"{(int)refused.StatusCode} {problem.GetProperty("code").GetString()}";
            var expected = kind switch
            {
                "both step down" => new[] { "409 last-admin" },
                "deactivate each other" => ["401 inactive", "401 unauthenticated"],
                _ => ["403 forbidden", "401 unauthenticated"],
            };
            Assert.True(expected.Contains(answer), $"Round {round} ({kind}): {answer}");
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;

            // The survivor restores the other, so the next round starts again from two administrators.
            var survivor = Assert.Single(admins);
            using var restorer = await app.SignInAsync(survivor == a.Member.Id ? first : second);
            var other = survivor == a.Member.Id ? b.Member.Id : a.Member.Id;
            Assert.Equal(HttpStatusCode.OK, (await restorer.Client.PostAsync($"/api/members/{other}/reactivate", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await restorer.Client.PutAsJsonAsync($"/api/members/{other}/roles", new { roles = new[] { Roles.Admin } })).StatusCode);
            Assert.Equal(2, (await ActiveAdministratorsAsync()).Count);
        }
        Assert.Equal(3, outcomes.Count);
    }

    [Fact]
    public async Task TheLastActiveAdministrator_CannotStepDown_AndOneOfTwoCan()
    {
        var (first, second) = await OnlyTwoAdministratorsAsync();
        using var a = await app.SignInAsync(first);
        Assert.Equal(HttpStatusCode.OK, (await SetRoles(a, a.Member.Id, Roles.Manager)()).StatusCode);
        using var b = await app.SignInAsync(second);
        var problem = await (await SetRoles(b, b.Member.Id, Roles.Manager)()).IsProblemAsync(HttpStatusCode.Conflict, "last-admin");
        Assert.Contains("administrator", problem.GetProperty("detail").GetString());
        Assert.Equal([b.Member.Id], await ActiveAdministratorsAsync());
        // The demoted one is refused at once, whatever their token said when it was issued.
        await (await a.Client.PutAsJsonAsync($"/api/members/{b.Member.Id}/roles", new { roles = new[] { Roles.Staff } })).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(HttpStatusCode.OK, (await b.Client.PutAsJsonAsync($"/api/members/{a.Member.Id}/roles", new { roles = new[] { Roles.Admin } })).StatusCode);
    }

    private static Func<Task<HttpResponseMessage>> SetRoles(Session actor, Guid target, string role) =>
        () => actor.Client.PutAsJsonAsync($"/api/members/{target}/roles", new { roles = new[] { role } });

    private static Func<Task<HttpResponseMessage>> Deactivate(Session actor, Guid target) =>
        () => actor.Client.PostAsync($"/api/members/{target}/deactivate", null);

    /// <summary>Two new administrators, made the only active ones (once per app: the demo administrator steps down).</summary>
    private async Task<(string First, string Second)> OnlyTwoAdministratorsAsync()
    {
        const string first = "race-admin-a@demo.board", second = "race-admin-b@demo.board";
        if ((await ActiveAdministratorsAsync()).Count == 2 && await AccountExistsAsync(first)) return (first, second);
        using var demo = await app.SignInAsync("admin");
        foreach (var email in new[] { first, second })
        {
            var created = await demo.Client.PostAsJsonAsync("/api/members",
                new { email, displayName = email[..12], password = DemoSeeder.Password, roles = new[] { Roles.Admin } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await SetRoles(demo, demo.Member.Id, Roles.Manager)()).StatusCode);
        Assert.Equal(2, (await ActiveAdministratorsAsync()).Count);
        return (first, second);
    }

    private async Task<bool> AccountExistsAsync(string email)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        return await db.Users.AnyAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
    }

    /// <summary>Read straight from the database: the active members holding the admin role.</summary>
    private async Task<List<Guid>> ActiveAdministratorsAsync()
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        return await (from ur in db.UserRoles
                      join r in db.Roles on ur.RoleId equals r.Id
                      join u in db.Users on ur.UserId equals u.Id
                      where r.Name == Roles.Admin && u.IsActive
                      select u.Id).ToListAsync();
    }
}

public sealed class LastAdminRaceSqliteTests(BoardApp app) : LastAdminRaceTests<BoardApp>(app);

public sealed class LastAdminRacePostgresTests(PostgresBoardApp app) : LastAdminRaceTests<PostgresBoardApp>(app);
