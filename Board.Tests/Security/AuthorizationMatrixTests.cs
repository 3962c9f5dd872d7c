using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Board.Web.Demo;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Security;

/// <summary>
/// Every route the app maps, read from its endpoint data source, × every kind of caller, against the one table
/// below. A route added without a row fails the test. "ok" means the request got past authentication and
/// authorization (it may then be a 400 or a 404: the ids are random, so nothing changes); who may approve or
/// complete is the rule's business, proven in Domain/ and FlowTests.
/// </summary>
[Trait("Kind", "Api")]
public sealed class AuthorizationMatrixTests(BoardApp app) : IClassFixture<BoardApp>
{
    private const string Anyone = "ok ok ok ok ok ok";
    private const string Member = "401 ok ok ok ok 401";
    private const string Admin = "401 403 403 403 ok 401";
    private const string ManagerOrAdmin = "401 403 403 ok ok 401";

    private static readonly string[] Callers = ["anonymous", "staff", "operations", "manager", "admin", "deactivated"];

    /// <summary>Method and route → expected outcome for anonymous, staff, operations, manager, admin, deactivated.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["POST /api/auth/login"] = Anyone,
        ["POST /api/auth/logout"] = Member,
        ["GET /api/auth/antiforgery"] = Member,
        ["GET /api/auth/demo"] = Anyone,
        ["GET /api/auth/session"] = Anyone,
        ["GET /api/me"] = Member,
        ["POST /api/me/password"] = Member,
        ["GET /api/me/notifications"] = Member,
        ["GET /api/me/waiting"] = Member,
        ["GET /api/me/proposals"] = Member,
        ["GET /api/push/key"] = Member,
        ["POST /api/me/push"] = Member,
        ["DELETE /api/me/push"] = Member,
        ["GET /api/meta"] = Member,
        ["GET /api/insights"] = ManagerOrAdmin,
        ["GET /api/members"] = Admin,
        ["POST /api/members"] = Admin,
        ["PUT /api/members/{id:guid}/roles"] = Admin,
        ["POST /api/members/{id:guid}/deactivate"] = Admin,
        ["POST /api/members/{id:guid}/reactivate"] = Admin,
        ["GET /api/members/directory"] = Member,
        ["GET /api/boards"] = Member,
        ["POST /api/boards"] = Admin,
        ["GET /api/boards/{boardId:guid}"] = Member,
        ["PUT /api/boards/{boardId:guid}"] = Admin,
        ["PUT /api/boards/{boardId:guid}/policy"] = Admin,
        ["GET /api/boards/{boardId:guid}/proposals"] = Member,
        ["POST /api/boards/{boardId:guid}/proposals"] = Member,
        ["GET /api/proposals/{id:guid}"] = Member,
        ["PUT /api/proposals/{id:guid}"] = Member,
        ["POST /api/proposals/{id:guid}/approvals"] = Member,
        ["DELETE /api/proposals/{id:guid}/approvals/me"] = Member,
        ["POST /api/proposals/{id:guid}/withdraw"] = Member,
        ["POST /api/proposals/{id:guid}/complete"] = Member,
        ["POST /api/proposals/{id:guid}/comments"] = Member,
        ["POST /api/preview"] = Member,
        ["POST /api/proposals/{id:guid}/attachments"] = Member,
        ["DELETE /api/attachments/{id:guid}"] = Member,
        ["GET /api/attachments/{id:guid}"] = Member,
        ["GET /api/boards/{boardId:guid}/events"] = Member,
        ["GET /api/audit"] = Member,
        ["GET /api/audit/head"] = Member,
        ["GET /api/audit/verify"] = Member,
        ["GET /api/audit/export"] = ManagerOrAdmin,
        ["GET /api/audit/key"] = Anyone,
        ["GET /api/audit/checkpoint"] = Anyone,
        ["GET /api/audit/checkpoints"] = Member,
        ["GET /api/audit/proof/inclusion"] = Member,
        ["GET /api/audit/proof/consistency"] = Member,
        ["GET /api/boards/{boardId:guid}/webhooks"] = Admin,
        ["POST /api/boards/{boardId:guid}/webhooks"] = Admin,
        ["GET /api/webhooks/{id:guid}"] = Admin,
        ["DELETE /api/webhooks/{id:guid}"] = Admin,
        ["GET /api/webhooks/{id:guid}/deliveries"] = Admin,
        ["POST /api/deliveries/{id:guid}/redeliver"] = Admin,
        ["GET /healthz"] = Anyone,
        ["GET /healthz/live"] = Anyone,
        ["GET /healthz/ready"] = Anyone,
        // The API reference page and its assets: Development only (not mapped elsewhere, ApiReferenceTests).
        ["GET /scalar/{documentName?}"] = Anyone,
        ["GET /scalar/favicon.svg"] = Anyone,
        ["GET /scalar/scalar.aspnetcore.js"] = Anyone,
        ["GET /scalar/scalar.js"] = Anyone,
        ["GET /openapi/{documentName}.json"] = Anyone, // Development; outside it, admin only (TransportTests)
        ["GET /hubs/board/negotiate"] = Member,
        ["GET /hubs/board"] = Member,
    };

    /// <summary>Every mapped route as "METHOD /pattern".</summary>
    public static List<string> RoutesOf(IServiceProvider services) =>
    [
        .. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} {Normalize(e.RoutePattern.RawText)}"))
            .Distinct().Order(),
    ];

    private static string Normalize(string? raw) => "/" + (raw ?? "").Trim('/');

    [Fact]
    public void EveryRoute_HasARowInTheTable_AndEveryRowARoute()
    {
        var routes = RoutesOf(app.Services);
        var missing = routes.Except(Expected.Keys).ToList();
        var stale = Expected.Keys.Except(routes).ToList();
        Assert.True(missing.Count == 0, "Routes without a row in the table: " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "Rows for routes that no longer exist: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task EveryRoute_AnswersEveryCaller_AsTheTableSays()
    {
        var board = await app.FirstBoardAsync();
        var tokens = new Dictionary<string, string?> { ["anonymous"] = null };
        foreach (var (caller, who) in new[] { ("staff", "staff1"), ("operations", "ops1"), ("manager", "manager"), ("admin", "admin") })
            tokens[caller] = (await app.SignInAsync(who)).Token;
        tokens["deactivated"] = await DeactivatedTokenAsync();

        var failures = new List<string>();
        // Signing out ends every session of the member (a new security stamp): that row goes last.
        foreach (var route in RoutesOf(app.Services).Where(Expected.ContainsKey).OrderBy(r => r == "POST /api/auth/logout"))
        {
            var expected = Expected[route].Split(' ');
            for (var i = 0; i < Callers.Length; i++)
            {
                var status = await SendAsync(route, board.Id, tokens[Callers[i]]);
                if ((int)status >= 500) failures.Add($"{route} as {Callers[i]}: {(int)status}");
                var outcome = status switch { HttpStatusCode.Unauthorized => "401", HttpStatusCode.Forbidden => "403", _ => "ok" };
                if (outcome != expected[i]) failures.Add($"{route} as {Callers[i]}: expected {expected[i]}, got {(int)status}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<string> DeactivatedTokenAsync()
    {
        using var admin = await app.SignInAsync("admin");
        var email = $"leaver-{Guid.NewGuid():N}@test.board";
        var created = await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = "Leaver", password = DemoSeeder.Password, roles = new[] { "staff", "operations", "manager", "admin" } });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var token = (await app.SignInAsync(email)).Token;
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PostAsync($"/api/members/{id}/deactivate", null)).StatusCode);
        return token;
    }

    private async Task<HttpStatusCode> SendAsync(string route, Guid boardId, string? token)
    {
        var space = route.IndexOf(' ');
        var path = route[(space + 1)..].Replace("{boardId:guid}", boardId.ToString()).Replace("{id:guid}", Guid.NewGuid().ToString())
            .Replace("{documentName}", "v1");
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(new HttpMethod(route[..space]), path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // The photo upload takes a form (routing answers 415 to anything else, before asking who is calling).
        if (path.EndsWith("/attachments", StringComparison.Ordinal)) request.Content = new MultipartFormDataContent { { new StringContent(""), "alt" } };
        else if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Delete) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        // Every route answers in far less; one that does not is named, not left to the client's 100-second timeout.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            using var response = await client.SendAsync(request, timeout.Token);
            return response.StatusCode;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{route} ({(token is null ? "anonymous" : "signed in")}) did not answer within 30 s");
        }
    }
}
