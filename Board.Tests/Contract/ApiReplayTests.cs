using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Board.Web.Demo;

namespace Board.Tests.Contract;

/// <summary>
/// Replays the whole API surface — every operation in the live document, with a success and the refusals it documents —
/// and checks every request and answer against the document with a JSON Schema validator, as a validating proxy in front
/// of Board would. Zero violations; and an operation the replay never reached successfully fails the test, so an endpoint
/// added without a replay here is noticed.
/// </summary>
[Trait("Kind", "Api")]
public sealed partial class ApiReplayTests(BoardApp app) : IClassFixture<BoardApp>
{
    private ContractValidator _contract = null!;
    private readonly HashSet<string> _succeeded = [];
    private readonly List<string> _unexpected = [];

    /// <summary>Sends one request, checks it and its answer against the document, and the status (and code) expected.</summary>
    private async Task<JsonNode?> Send(HttpClient client, string method, string template, int expect, string? code = null,
        object? body = null, string query = "", HttpContent? content = null, params object[] route)
    {
        var index = 0;
        var path = Placeholder().Replace(template, _ => Uri.EscapeDataString(route[index++].ToString()!));
        using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
        if (body is not null)
        {
            var node = System.Text.Json.JsonSerializer.SerializeToNode(body, BoardApp.Json);
            if (expect is >= 200 and < 300) _contract.CheckRequest(method, template, node);
            request.Content = JsonContent.Create(node);
        }
        if (content is not null) request.Content = content;
        using var response = await client.SendAsync(request);
        await _contract.CheckResponseAsync(method, template, response);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? answer = null;
        if (ContractValidator.IsJson(response.Content.Headers.ContentType?.MediaType) && text.Length > 0)
            answer = JsonNode.Parse(text);
        var answerCode = answer is JsonObject problem ? problem["code"]?.GetValue<string>() : null;
        if (status != expect || (code is not null && answerCode != code))
            _unexpected.Add($"{method} {template}: expected {expect} {code}, got {status} {answerCode} {text[..Math.Min(text.Length, 300)]}");
        if (status is >= 200 and < 300) _succeeded.Add($"{method} {template}");
        return answer;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Placeholder();

    private static Guid Id(JsonNode? node) => Guid.Parse(node!["id"]!.GetValue<string>());

    [Fact]
    public async Task EveryOperation_ItsSuccessAndItsRefusals_MatchTheDocument()
    {
        // No cookie jar: signing in through it must not make it signed in.
        using var anonymous = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = app.BaseAddress };
        _contract = new ContractValidator(JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject());
        using var staff = await app.SignInAsync("staff1");
        using var staff2 = await app.SignInAsync("staff2");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        using var manager = await app.SignInAsync("manager");
        using var admin = await app.SignInAsync("admin");
        var unknown = Guid.CreateVersion7();

        await ReplayAuthAsync(anonymous, staff, admin);
        var boardId = await ReplayBoardsAsync(anonymous, staff, admin);
        await ReplayProposalsAsync(anonymous, boardId, staff, staff2, ops1, ops2, ops3, unknown);
        await ReplayTrailAsync(anonymous, boardId, staff, manager, unknown);
        await ReplayMembersAsync(anonymous, staff, admin, unknown);
        await ReplayWebhooksAsync(anonymous, boardId, staff, admin, unknown);
        await ReplayMeAsync(anonymous, staff, ops1, manager);
        await ReplayPhotosAsync(anonymous, boardId, staff, staff2, unknown);
        await ReplayPushAsync(anonymous, staff);
        await ReplayTrailProofsAsync(anonymous, staff);

        var missing = _contract.Operations().Select(o => $"{o.Method} {o.Path}").Where(o => !_succeeded.Contains(o)).ToList();
        Assert.True(_unexpected.Count == 0, "Unexpected answers:\n" + string.Join("\n", _unexpected));
        Assert.True(_contract.Violations.Count == 0, $"{_contract.Violations.Count} contract violations:\n" + string.Join("\n", _contract.Violations));
        Assert.True(missing.Count == 0, "Operations the replay never reached successfully (add them here):\n" + string.Join("\n", missing));
    }

    private async Task ReplayAuthAsync(HttpClient anonymous, Session staff, Session admin)
    {
        const string login = "/api/auth/login";
        await Send(anonymous, "POST", login, 200, body: new { email = "staff1@demo.board", password = DemoSeeder.Password });
        await Send(anonymous, "POST", login, 401, "invalid-credentials", new { email = "staff1@demo.board", password = "Wrong!pass1" });
        await Send(anonymous, "POST", login, 400, "validation", new { email = "not an email", password = "x" });
        await Send(anonymous, "POST", login, 415, "unsupported-media-type", content: new StringContent("email=x", Encoding.UTF8, "text/plain"));
        await Send(anonymous, "POST", login, 413, "too-large", content: new StringContent(new string('a', 300 * 1024), Encoding.UTF8, "application/json"));
        await Send(anonymous, "GET", "/api/auth/session", 200);
        await Send(anonymous, "GET", "/api/auth/demo", 200);
        await Send(staff.Client, "GET", "/api/auth/antiforgery", 200);
        await Send(anonymous, "GET", "/api/auth/antiforgery", 401, "unauthenticated");
        await Send(staff.Client, "GET", "/api/me", 200);
        await Send(anonymous, "GET", "/api/me", 401, "unauthenticated");

        // A member of its own for what ends sessions.
        var email = $"replay{Guid.NewGuid():N}@test.board";
        await Send(admin.Client, "POST", "/api/members", 201, body: new { email, displayName = "Replay", password = DemoSeeder.Password, roles = new[] { "staff" } });
        using var member = await app.SignInAsync(email);
        await Send(member.Client, "POST", "/api/me/password", 400, "validation", new { current = "Wrong!pass1", @new = "Fresh!pass42" });
        await Send(anonymous, "POST", "/api/me/password", 401, "unauthenticated", new { current = DemoSeeder.Password, @new = "Fresh!pass42" });
        var changed = await Send(member.Client, "POST", "/api/me/password", 200, body: new { current = DemoSeeder.Password, @new = "Fresh!pass42" });
        member.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", changed!["accessToken"]!.GetValue<string>());
        await Send(member.Client, "POST", "/api/auth/logout", 204);
        await Send(anonymous, "POST", "/api/auth/logout", 401, "unauthenticated");

        // A browser's write without its antiforgery header.
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = app.BaseAddress };
        using (browser)
        {
            await browser.PostAsJsonAsync(login, new { email = "staff1@demo.board", password = DemoSeeder.Password });
            await Send(browser, "POST", "/api/preview", 400, "antiforgery", new { body = "**x**" });
        }
    }

    private async Task<Guid> ReplayBoardsAsync(HttpClient anonymous, Session staff, Session admin)
    {
        var boards = await Send(staff.Client, "GET", "/api/boards", 200);
        await Send(anonymous, "GET", "/api/boards", 401, "unauthenticated");
        var boardId = Id(boards!.AsArray()[0]);
        await Send(staff.Client, "GET", "/api/boards/{boardId}", 200, route: boardId);
        await Send(staff.Client, "GET", "/api/boards/{boardId}", 404, "not-found", route: Guid.CreateVersion7());
        var created = await Send(admin.Client, "POST", "/api/boards", 201, body: new { name = "Replay " + Guid.NewGuid().ToString("N")[..6] });
        await Send(staff.Client, "POST", "/api/boards", 403, "forbidden", new { name = "Not mine" });
        await Send(admin.Client, "POST", "/api/boards", 400, "validation", new { name = "" });
        var newBoard = Id(created);
        await Send(admin.Client, "PUT", "/api/boards/{boardId}", 200, body: new { name = "Replay renamed " + Guid.NewGuid().ToString("N")[..6] }, route: newBoard);
        await Send(admin.Client, "PUT", "/api/boards/{boardId}/policy", 200, body: new { approvalsRequired = 2, approverRole = "operations", expiresAfterDays = 7 }, route: newBoard);
        await Send(admin.Client, "PUT", "/api/boards/{boardId}/policy", 400, "validation", new { approvalsRequired = 0, approverRole = "operations", expiresAfterDays = 7 }, route: newBoard);
        return boardId;
    }

    private async Task ReplayProposalsAsync(HttpClient anonymous, Guid boardId, Session staff, Session staff2, Session ops1, Session ops2, Session ops3, Guid unknown)
    {
        const string list = "/api/boards/{boardId}/proposals", one = "/api/proposals/{id}";
        await Send(staff.Client, "GET", list, 200, query: "?status=open,executed&q=basket&page=1&sort=oldest", route: boardId);
        await Send(staff.Client, "GET", list, 400, "validation", query: "?status=sideways", route: boardId);
        await Send(staff.Client, "GET", list, 404, "not-found", route: unknown);
        await Send(staff.Client, "POST", list, 400, "validation", new { title = "", body = "x" }, route: boardId);
        await Send(staff.Client, "POST", list, 404, "not-found", new { title = "Nowhere", body = "x" }, route: unknown);
        var proposal = Id(await Send(staff.Client, "POST", list, 201, body: new { title = "Replay a basket return", body = "By **till 1**." }, route: boardId));
        await Send(staff.Client, "GET", one, 200, route: proposal);
        await Send(staff.Client, "GET", one, 404, "not-found", route: unknown);
        await Send(staff2.Client, "PUT", one, 403, "not-author", new { title = "Mine now", body = "x" }, route: proposal);
        await Send(staff.Client, "PUT", one, 200, body: new { title = "Replay a basket return by till 1", body = "By **till 1**." }, route: proposal);
        await Send(staff.Client, "POST", "/api/proposals/{id}/approvals", 403, "own-proposal", route: proposal);
        await Send(staff2.Client, "POST", "/api/proposals/{id}/approvals", 403, "not-approver", route: proposal);
        await Send(ops1.Client, "DELETE", "/api/proposals/{id}/approvals/me", 409, "not-approved", route: proposal);
        await Send(ops1.Client, "POST", "/api/proposals/{id}/approvals", 200, route: proposal);
        await Send(ops1.Client, "POST", "/api/proposals/{id}/approvals", 409, "already-approved", route: proposal);
        await Send(ops1.Client, "DELETE", "/api/proposals/{id}/approvals/me", 200, route: proposal);
        await Send(ops1.Client, "POST", "/api/proposals/{id}/complete", 409, "not-executed", new { note = "Too soon" }, route: proposal);
        await Send(staff.Client, "POST", "/api/proposals/{id}/comments", 201, body: new { body = "Till 1 has room." }, route: proposal);
        await Send(staff.Client, "POST", "/api/proposals/{id}/comments", 400, "validation", new { body = "" }, route: proposal);
        await Send(anonymous, "POST", "/api/proposals/{id}/comments", 401, "unauthenticated", new { body = "Hello" }, route: proposal);
        foreach (var approver in new[] { ops1, ops2, ops3 })
            await Send(approver.Client, "POST", "/api/proposals/{id}/approvals", 200, route: proposal);
        await Send(staff2.Client, "POST", "/api/proposals/{id}/approvals", 409, "not-open", route: proposal);
        await Send(staff.Client, "POST", "/api/proposals/{id}/complete", 403, "forbidden", new { note = "Done" }, route: proposal);
        await Send(ops1.Client, "POST", "/api/proposals/{id}/complete", 200, body: new { note = "Baskets return by till 1." }, route: proposal);
        await Send(staff.Client, "POST", "/api/proposals/{id}/withdraw", 409, "not-open", route: proposal);

        var second = Id(await Send(staff.Client, "POST", list, 201, body: new { title = "Replay a second idea", body = "" }, route: boardId));
        await Send(staff2.Client, "POST", "/api/proposals/{id}/withdraw", 403, "not-author", route: second);
        await Send(staff.Client, "POST", "/api/proposals/{id}/withdraw", 200, route: second);
        await Send(staff.Client, "PUT", one, 409, "not-open", new { title = "Too late", body = "" }, route: second);
        await Send(staff.Client, "POST", "/api/preview", 200, body: new { body = "# Title\n\n**bold**" });
    }

    private async Task ReplayTrailAsync(HttpClient anonymous, Guid boardId, Session staff, Session manager, Guid unknown)
    {
        await Send(staff.Client, "GET", "/api/boards/{boardId}/events", 200, query: "?after=0&limit=20", route: boardId);
        await Send(staff.Client, "GET", "/api/boards/{boardId}/events", 404, "not-found", route: unknown);
        await Send(staff.Client, "GET", "/api/audit", 200, query: "?action=approval.added&limit=10");
        await Send(staff.Client, "GET", "/api/audit", 400, "validation", query: "?after=5&before=9");
        await Send(anonymous, "GET", "/api/audit", 401, "unauthenticated");
        await Send(staff.Client, "GET", "/api/audit/head", 200);
        await Send(staff.Client, "GET", "/api/audit/verify", 200);
        await Send(staff.Client, "GET", "/api/audit/verify", 400, "validation", query: "?headHash=nothex");
        await Send(manager.Client, "GET", "/api/audit/export", 200, query: "?format=csv");
        await Send(manager.Client, "GET", "/api/audit/export", 200, query: "?format=jsonl&limit=5");
        await Send(manager.Client, "GET", "/api/audit/export", 400, "validation", query: "?format=xml");
        await Send(staff.Client, "GET", "/api/audit/export", 403, "forbidden", query: "?format=csv");
    }

    private async Task ReplayMembersAsync(HttpClient anonymous, Session staff, Session admin, Guid unknown)
    {
        await Send(admin.Client, "GET", "/api/members", 200);
        await Send(staff.Client, "GET", "/api/members", 403, "forbidden");
        await Send(anonymous, "GET", "/api/members", 401, "unauthenticated");
        await Send(staff.Client, "GET", "/api/members/directory", 200);
        var email = $"replay{Guid.NewGuid():N}@test.board";
        var member = Id(await Send(admin.Client, "POST", "/api/members", 201, body: new { email, displayName = "Replay Two", password = DemoSeeder.Password, roles = new[] { "staff" } }));
        await Send(admin.Client, "POST", "/api/members", 400, "validation", new { email, displayName = "Again", password = DemoSeeder.Password, roles = new[] { "janitor" } });
        await Send(admin.Client, "PUT", "/api/members/{id}/roles", 200, body: new { roles = new[] { "staff", "operations" } }, route: member);
        await Send(admin.Client, "PUT", "/api/members/{id}/roles", 404, "not-found", new { roles = new[] { "staff" } }, route: unknown);
        await Send(admin.Client, "POST", "/api/members/{id}/deactivate", 200, route: member);
        await Send(admin.Client, "POST", "/api/members/{id}/deactivate", 404, "not-found", route: unknown);
        await Send(admin.Client, "POST", "/api/members/{id}/reactivate", 200, route: member);
        await Send(staff.Client, "POST", "/api/members/{id}/reactivate", 403, "forbidden", route: member);
        // The only administrator cannot give up the role (nor deactivate themself, which is refused before).
        await Send(admin.Client, "POST", "/api/members/{id}/deactivate", 400, "validation", route: admin.Member.Id);
        await Send(admin.Client, "PUT", "/api/members/{id}/roles", 409, "last-admin", new { roles = new[] { "staff" } }, route: admin.Member.Id);
    }

    private async Task ReplayWebhooksAsync(HttpClient anonymous, Guid boardId, Session staff, Session admin, Guid unknown)
    {
        const string hooks = "/api/boards/{boardId}/webhooks";
        await Send(admin.Client, "GET", hooks, 200, route: boardId);
        await Send(staff.Client, "GET", hooks, 403, "forbidden", route: boardId);
        var hook = Id(await Send(admin.Client, "POST", hooks, 201, body: new { url = "https://hooks.example.com/board", actions = new[] { "comment.added" } }, route: boardId));
        // Something for it to deliver (to a receiver that is not there).
        var proposal = (await Send(staff.Client, "GET", "/api/boards/{boardId}/proposals", 200, route: boardId))!["items"]![0]!;
        await Send(staff.Client, "POST", "/api/proposals/{id}/comments", 201, body: new { body = "For the webhook." }, route: Id(proposal));
        await Send(admin.Client, "POST", hooks, 400, "validation", new { url = "ftp://example.com/x" }, route: boardId);
        await Send(admin.Client, "GET", "/api/webhooks/{id}", 200, route: hook);
        await Send(admin.Client, "GET", "/api/webhooks/{id}", 404, "not-found", route: unknown);
        await Send(admin.Client, "GET", "/api/webhooks/{id}/deliveries", 200, query: "?status=pending&limit=10", route: hook);
        var deliveries = await Send(admin.Client, "GET", "/api/webhooks/{id}/deliveries", 200, route: hook);
        await Send(admin.Client, "POST", "/api/deliveries/{id}/redeliver", 202, route: Id(deliveries!["items"]![0]));
        await Send(admin.Client, "POST", "/api/deliveries/{id}/redeliver", 404, "not-found", route: unknown);
        await Send(admin.Client, "DELETE", "/api/webhooks/{id}", 204, route: hook);
        await Send(admin.Client, "DELETE", "/api/webhooks/{id}", 404, "not-found", route: unknown);
        await Send(anonymous, "DELETE", "/api/webhooks/{id}", 401, "unauthenticated", route: hook);
    }

    private async Task ReplayMeAsync(HttpClient anonymous, Session staff, Session ops1, Session manager)
    {
        await Send(ops1.Client, "GET", "/api/me/waiting", 200);
        await Send(staff.Client, "GET", "/api/me/proposals", 200, query: "?status=open");
        await Send(staff.Client, "GET", "/api/me/notifications", 200);
        await Send(staff.Client, "GET", "/api/meta", 200);
        await Send(manager.Client, "GET", "/api/insights", 200);
        await Send(staff.Client, "GET", "/api/insights", 403, "forbidden");
        await Send(anonymous, "GET", "/api/meta", 401, "unauthenticated");
    }
}
