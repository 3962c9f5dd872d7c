using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Board.Web.Trail;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Security;

/// <summary>
/// Every route that takes a body or a query, found from the app's endpoints and their handlers' parameters, gets a
/// corpus of bad input; every hub method gets bad ids. Only 4xx problem details come back (a GET may also answer
/// 200: a strange search is still a search), never a 5xx, and nothing changes.
/// </summary>
[Trait("Kind", "Api")]
public sealed class BadInputCorpusTests(BoardApp app) : IClassFixture<BoardApp>
{
    private static readonly string Huge = new('x', 1_000_000);
    private static readonly string Long = new('x', 100_000);

    /// <summary>Whole bodies that are not what any endpoint takes.</summary>
    private static readonly string[] Bodies =
    [
        "", "{", "}", "null", "[]", "\"text\"", "123", "true", "{\"a\":", "\u0000", "{'single':'quotes'}",
        new string('[', 5_000) + new string(']', 5_000), "{\"x\":" + Huge.Length + ",\"y\":\"" + Huge + "\"}",
    ];

    /// <summary>Values given to one property at a time, the others left as a valid request would have them.</summary>
    private static readonly JsonNode?[] Values =
    [
        JsonValue.Create(Huge), JsonValue.Create(Long), JsonValue.Create("a\u202Eb"), JsonValue.Create("a\u0000b"), JsonValue.Create("\u2066x\u2069"),
        JsonValue.Create("a\u001Bb\u0085"), JsonValue.Create(1e308), JsonValue.Create(-1), JsonValue.Create(-1e308), JsonValue.Create(decimal.MaxValue),
        JsonValue.Create(long.MinValue), JsonValue.Create(int.MaxValue), JsonValue.Create(true), new JsonArray(JsonValue.Create(1)), new JsonObject { ["x"] = 1 },
        JsonValue.Create("not-a-guid"), JsonValue.Create(Guid.NewGuid().ToString()), JsonValue.Create(""),
    ];

    /// <summary>Query values, each given to one parameter at a time.</summary>
    private static readonly string[] QueryValues =
    [
        "abc", "-1", "0", "-9223372036854775809", "9223372036854775808", "99999999999999999999999", "42949674", "2147483648", "1e308", "NaN",
        "%00", "%E2%80%AE", "%1B", "[]", "true", "null", new string('q', 4_000), "%F0%9F", "0001-01-01", "9999-12-31T23:59:59Z", "-0",
    ];

    private sealed record Route(string Method, string Pattern, Type? Body, List<string> Query);

    private static List<Route> Routes(IServiceProvider services)
    {
        var routes = new List<Route>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler) continue;
            var routeParameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var body = handler.GetParameters().FirstOrDefault(p => p.ParameterType.Name.EndsWith("Request", StringComparison.Ordinal))?.ParameterType;
            var query = handler.GetParameters().Where(p => !routeParameters.Contains(p.Name!) && IsSimple(p.ParameterType)).Select(p => p.Name!).ToList();
            if (body is null && query.Count == 0) continue;
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                routes.Add(new Route(method, "/" + endpoint.RoutePattern.RawText!.Trim('/'), body, query));
        }
        return routes;
    }

    private static bool IsSimple(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t == typeof(int) || t == typeof(long) || t == typeof(bool) || t == typeof(Guid) || t == typeof(DateTimeOffset);
    }

    /// <summary>A push subscription's P-256 public key, as a browser makes it.</summary>
    private static readonly string DevicePublicKey = NewDevicePublicKey();

    private static string NewDevicePublicKey()
    {
        using var browser = new Push.BrowserSubscription("https://push.example.com/corpus");
        return System.Buffers.Text.Base64Url.EncodeToString(browser.PublicKey);
    }

    /// <summary>A request each body type would accept: the corpus spoils one property of it at a time.</summary>
    private static JsonObject ValidBody(Type type) => type.Name switch
    {
        "LoginRequest" => new() { ["email"] = "nobody@demo.board", ["password"] = "Wrong-password-1" },
        "CreateMemberRequest" => new() { ["email"] = "corpus@test.board", ["displayName"] = "Corpus", ["password"] = "Long-enough-1!", ["roles"] = new JsonArray("staff") },
        // Not the admin's password: no spoiled variant can change it, whatever it does to "new".
        "ChangePasswordRequest" => new() { ["current"] = "Not-the-password-1", ["new"] = "Long-enough-1!" },
        "RolesRequest" => new() { ["roles"] = new JsonArray("staff", "operations") },
        "CreateBoardRequest" => new() { ["name"] = "Corpus board", ["policy"] = new JsonObject { ["approvalsRequired"] = 2, ["approverRole"] = "operations", ["expiresAfterDays"] = 7 } },
        "RenameBoardRequest" => new() { ["name"] = "Renamed by the corpus" },
        "PolicyRequest" => new() { ["approvalsRequired"] = 2, ["approverRole"] = "operations", ["expiresAfterDays"] = 7 },
        "PostProposalRequest" or "EditProposalRequest" => new() { ["title"] = "Corpus title", ["body"] = "Corpus body" },
        "CompleteRequest" => new() { ["note"] = "Corpus note" },
        "CommentRequest" or "PreviewRequest" => new() { ["body"] = "Corpus comment" },
        "CreateWebhookRequest" => new() { ["url"] = "https://hooks.example.org/corpus", ["secret"] = "a-receiver-secret-of-some-length", ["actions"] = new JsonArray("proposal.posted") },
        "SubscribeRequest" => new()
        {
            ["endpoint"] = "https://push.example.com/corpus",
            ["keys"] = new JsonObject { ["p256dh"] = DevicePublicKey, ["auth"] = System.Buffers.Text.Base64Url.EncodeToString(new byte[16]) },
        },
        "UnsubscribeRequest" => new() { ["endpoint"] = "https://push.example.com/corpus" },
        _ => throw new InvalidOperationException($"The corpus has no valid {type.Name}: add one"),
    };

    /// <summary>A value that is valid for a property is not a bad input: null where null means "default", and so on.</summary>
    private static bool IsValidFor(string property, JsonNode? value) => (property, value?.ToJsonString()) switch
    {
        // Text that looks like an id is still text, except where an id is expected.
        (not "reverses", _) when value is JsonValue v && v.TryGetValue<string>(out var text) && (text == "not-a-guid" || Guid.TryParse(text, out _)) => true,
        ("policy" or "reverses" or "actions" or "secret", null) => true,
        ("body", "\"\"") => true,
        ("actions", "[]") => true,
        ("policy", _) when value is JsonObject => true,
        _ => false,
    };

    [Fact]
    public async Task EveryRouteWithABodyOrAQuery_AnswersBadInputWith4xxProblems_AndChangesNothing()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await app.FirstBoardAsync();
        var proposal = await admin.PostAsync(board.Id, "Corpus target", "Untouched");
        var webhook = await AdminApi.AddWebhookAsync(admin, board.Id, new Uri("https://hooks.example.org/target"), null);
        var before = await StateAsync(admin, proposal.Id);
        var ids = new Dictionary<string, string>
        {
            ["{boardId:guid}"] = board.Id.ToString(),
            ["{id:guid}"] = proposal.Id.ToString(),
            ["{documentName}"] = "v1",
        };

        var routes = Routes(app.Services);
        Assert.Contains(routes, r => r.Pattern == "api/boards/{boardId:guid}/proposals".Insert(0, "/") && r.Method == "POST");
        var failures = new List<string>();
        var sent = 0;
        foreach (var route in routes)
        {
            var path = ids.Aggregate(route.Pattern, (p, id) => p.Replace(id.Key, id.Value));
            if (route.Pattern.StartsWith("/api/webhooks/", StringComparison.Ordinal)) path = path.Replace(proposal.Id.ToString(), webhook.Id.ToString());
            if (route.Pattern.StartsWith("/api/members/", StringComparison.Ordinal)) path = path.Replace(proposal.Id.ToString(), admin.Member.Id.ToString());
            var isRead = route.Method == "GET" || route.Pattern == "/api/preview"; // a preview changes nothing

            if (route.Body is { } bodyType)
            {
                foreach (var body in Bodies)
                    Check(await SendAsync(admin, route.Method, path, body), $"{route.Method} {route.Pattern} body {Show(body)}", isRead, failures);
                var valid = ValidBody(bodyType);
                foreach (var property in valid.Select(p => p.Key).ToList())
                    foreach (var value in Values.Where(v => !IsValidFor(property, v)))
                    {
                        var spoiled = (JsonObject)valid.DeepClone();
                        spoiled[property] = value?.DeepClone();
                        Check(await SendAsync(admin, route.Method, path, spoiled.ToJsonString()), $"{route.Method} {route.Pattern} {property}={Show(value?.ToJsonString())}", isRead, failures);
                    }
                sent += Bodies.Length + valid.Count * Values.Length;
            }
            foreach (var parameter in route.Query)
                foreach (var value in QueryValues)
                {
                    var body = route.Body is { } t ? ValidBody(t).ToJsonString() : null;
                    // Spoiling a query must not make a valid body land: POSTs with a query get the body the corpus spoils elsewhere.
                    if (!isRead && body is not null) body = "{";
                    Check(await SendAsync(admin, route.Method, $"{path}?{parameter}={value}", body), $"{route.Method} {route.Pattern}?{parameter}={Show(value)}", isRead, failures);
                    sent++;
                }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} answers were wrong:\n" + string.Join("\n", failures.Take(40)));
        Assert.True(sent > 1_000, $"only {sent} requests");
        Assert.Equal(before, await StateAsync(admin, proposal.Id));
    }

    [Fact]
    public async Task EveryHubMethod_RefusesBadIds_WithAnError_AndKeepsTheConnection()
    {
        using var staff = await app.SignInAsync("staff1");
        var board = await app.FirstBoardAsync();
        var before = await StateAsync(staff, null);
        await using var hub = await staff.ConnectAsync();
        object?[][] badArguments = [[], ["not-a-guid"], [123], [null], [Guid.Empty], [Guid.NewGuid()], [true], [new[] { 1, 2 }], [board.Id, board.Id], [new string('x', 20_000)]];
        var refused = 0;
        foreach (var method in new[] { "Watch", "Unwatch", "WatchTrail", "UnwatchTrail", "NoSuchMethod" })
            foreach (var arguments in badArguments)
            {
                if (method is "Unwatch" && arguments is [Guid]) continue; // leaving a board one never watched is nothing
                if (method is "WatchTrail" or "UnwatchTrail" && arguments.Length == 0) continue;
                try
                {
                    await hub.InvokeCoreAsync(method, arguments).WaitAsync(TimeSpan.FromSeconds(10));
                    Assert.Fail($"{method}({string.Join(", ", arguments)}) was accepted");
                }
                catch (HubException)
                {
                    refused++;
                }
                Assert.True(hub.State == HubConnectionState.Connected, $"{method}({string.Join(", ", arguments)}) closed the connection");
            }
        Assert.True(refused >= 40, $"{refused} refusals");
        await hub.InvokeAsync("Watch", board.Id);
        Assert.Equal(before, await StateAsync(staff, null));
    }

    private static void Check(HttpResponseMessage response, string what, bool isRead, List<string> failures)
    {
        var status = (int)response.StatusCode;
        var type = response.Content.Headers.ContentType?.MediaType;
        if (status >= 500) failures.Add($"{what}: {status}");
        else if (status >= 400 && type != "application/problem+json") failures.Add($"{what}: {status} without problem details ({type})");
        else if (status < 400 && !isRead) failures.Add($"{what}: accepted with {status}");
        response.Dispose();
    }

    private static async Task<HttpResponseMessage> SendAsync(Session session, string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        // Lets the server refuse a body it will not read before the client sends it (as browsers and proxies do).
        request.Headers.ExpectContinue = body?.Length > 100_000;
        return await session.Client.SendAsync(request);
    }

    private static string Show(string? text) => text is null ? "null" : text.Length > 40 ? $"{text[..20]}…({text.Length} chars)" : text;

    /// <summary>What would show a change: the trail head, and the target proposal's version.</summary>
    private static async Task<string> StateAsync(Session s, Guid? proposalId)
    {
        var head = (await s.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!;
        var version = proposalId is { } id ? (await s.GetAsync(id)).Version : 0;
        return $"{head.HeadSeq}/{head.HeadHash}/{version}";
    }
}
