using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Board.Web.Push;
using Board.Web.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Push;

/// <summary>Fast retries and a short bundling window, and the VAPID key in the test's folder.</summary>
public sealed class PushApp : BoardApp
{
    public const string Subject = "mailto:operations@example.org";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Keys:VapidKey"] = Path.Combine(Folder, "vapid.pem"),
        ["Push:Subject"] = Subject,
        // Long enough for a test to post three proposals inside one window even on a loaded machine.
        ["Push:BundleSeconds"] = "4",
        ["Push:FirstRetrySeconds"] = "0.2",
        ["Push:MaxRetrySeconds"] = "1",
        ["Push:PollMilliseconds"] = "100",
        ["Push:TimeoutSeconds"] = "5",
    };
}

[Trait("Kind", "Api")]
public sealed class PushTests(PushApp app) : IClassFixture<PushApp>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private PushReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await PushReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<(string Device, BrowserSubscription Browser)> SubscribeAsync(Session session, string? language = null)
    {
        var (device, endpoint) = _receiver.NewDevice();
        var browser = new BrowserSubscription(endpoint);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/me/push") { Content = JsonContent.Create(browser.Json) };
        if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
        var response = await session.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return (device, browser);
    }

    [Fact]
    public async Task ProposalPosted_ReachesTheApproversDevice_WithAValidVapidJwt_AndABodyOnlyItCanDecrypt()
    {
        using var ops = await app.SignInAsync("ops1");
        using var staff = await app.SignInAsync("staff1");
        var (device, browser) = await SubscribeAsync(ops);
        var (authorDevice, _) = await SubscribeAsync(staff);
        var board = await app.FirstBoardAsync();

        var proposal = await staff.PostAsync(board.Id, "Fix the broken shelf in aisle 4");

        var request = Assert.Single(await _receiver.WaitForAsync(device, 1, Within));
        Assert.Equal("aes128gcm", request.ContentEncoding);
        Assert.Equal("application/octet-stream", request.ContentType);
        Assert.True(int.Parse(request.Ttl!) > 0);
        var key = (await ops.Client.GetFromJsonAsync<PushKeyDto>("/api/push/key", BoardApp.Json))!.PublicKey;
        AssertVapid(request.Authorization, key, _receiver.Origin);

        using (browser)
        {
            var payload = browser.DecryptJson(request.Body);
            Assert.Equal("Waiting for your approval", payload.GetProperty("title").GetString());
            Assert.Equal("Fix the broken shelf in aisle 4", payload.GetProperty("body").GetString());
            Assert.Equal($"/#/proposal/{proposal.Id}", payload.GetProperty("url").GetString());
            Assert.Equal($"waiting-{proposal.Id:N}", payload.GetProperty("tag").GetString());
            Assert.Equal(["body", "tag", "title", "url"], payload.EnumerateObject().Select(p => p.Name).Order());
            Assert.DoesNotContain("@", browser.Decrypt(request.Body));
        }
        // The author holds no approver role: nothing waits for them.
        Assert.Empty(_receiver.For(authorDevice));
    }

    [Fact]
    public async Task ProposalByAnApprover_DoesNotWaitForItsOwnAuthor()
    {
        using var author = await app.SignInAsync("ops1");
        using var other = await app.SignInAsync("ops2");
        var (authorDevice, _) = await SubscribeAsync(author);
        var (otherDevice, _) = await SubscribeAsync(other);
        var board = await app.FirstBoardAsync();

        await author.PostAsync(board.Id, "Restock the basket stand");

        // Both notices would come from the same commit and be due at once: when the other approver's has come, the author's would have.
        Assert.Single(await _receiver.WaitForAsync(otherDevice, 1, Within));
        await Task.Delay(500);
        Assert.Empty(_receiver.For(authorDevice));
    }

    [Fact]
    public async Task ExecutedAndDone_ReachTheAuthor()
    {
        using var staff = await app.SignInAsync("staff2");
        var (device, browser) = await SubscribeAsync(staff);
        var board = await app.FirstBoardAsync();
        var proposal = await staff.PostAsync(board.Id, "Second till at lunchtime");

        await app.ApproveAsAsync(proposal.Id);
        var executed = await _receiver.WaitForAsync(device, 1, Within);
        using var ops = await app.SignInAsync("ops1");
        var complete = await ops.Client.PostAsJsonAsync($"/api/proposals/{proposal.Id}/complete", new { note = "Opened on Monday." });
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var both = await _receiver.WaitForAsync(device, 2, Within);

        using (browser)
        {
            var titles = both.Select(r => browser.DecryptJson(r.Body)).ToList();
            Assert.Equal(["Your proposal executed", "Your proposal is done"], titles.Select(p => p.GetProperty("title").GetString()));
            Assert.All(titles, p => Assert.Equal($"/#/proposal/{proposal.Id}", p.GetProperty("url").GetString()));
        }
        Assert.Single(executed);
    }

    [Fact]
    public async Task ProposalsPostedTogether_ArriveAsOneNotification_InTheDevicesLanguage()
    {
        using var ops = await app.SignInAsync("ops4");
        using var staff = await app.SignInAsync("staff3");
        var (device, browser) = await SubscribeAsync(ops, "ko-KR");
        var board = await app.FirstBoardAsync();

        var posting = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i <= 3; i++) await staff.PostAsync(board.Id, $"Price labels, shelf {i}");
        Assert.True(posting.Elapsed < TimeSpan.FromSeconds(4), $"the three posts took {posting.Elapsed}, longer than the bundling window");

        var first = await _receiver.WaitForAsync(device, 1, Within);
        await Task.Delay(TimeSpan.FromSeconds(4));
        var request = Assert.Single(_receiver.For(device));
        using (browser)
        {
            var payload = browser.DecryptJson(request.Body);
            Assert.Equal("승인을 기다리는 제안 3건", payload.GetProperty("title").GetString());
            Assert.Equal("/#/waiting", payload.GetProperty("url").GetString());
            Assert.Equal("Price labels, shelf 1 · Price labels, shelf 2 · Price labels, shelf 3", payload.GetProperty("body").GetString());
        }
        Assert.Single(first);
    }

    [Theory]
    [InlineData(410)]
    [InlineData(404)]
    public async Task PushServiceAnswersGoneOrNotFound_RemovesTheSubscription(int status)
    {
        using var ops = await app.SignInAsync("ops2");
        using var staff = await app.SignInAsync("staff1");
        var (device, browser) = await SubscribeAsync(ops);
        _receiver.Answers[device] = [status];
        var board = await app.FirstBoardAsync();

        await staff.PostAsync(board.Id, "Mop by the freezer aisle");

        Assert.Single(await _receiver.WaitForAsync(device, 1, Within));
        Assert.True(await EventuallyAsync(async db => !await db.Set<PushDevice>().AnyAsync(d => d.Endpoint == browser.Endpoint)), "the device is removed");
        var again = await ops.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/me/push") { Content = JsonContent.Create(new { endpoint = browser.Endpoint }) });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        browser.Dispose();
    }

    [Fact]
    public async Task PushServiceFailing_IsRetriedWithBackoff_UntilItAccepts()
    {
        using var ops = await app.SignInAsync("ops3");
        using var staff = await app.SignInAsync("staff2");
        var (device, browser) = await SubscribeAsync(ops);
        _receiver.Answers[device] = [500, 503];
        var board = await app.FirstBoardAsync();

        var proposal = await staff.PostAsync(board.Id, "A bin by the entrance");

        var requests = await _receiver.WaitForAsync(device, 3, Within);
        Assert.Equal(3, requests.Count);
        using (browser)
        {
            Assert.All(requests, r => Assert.Equal(proposal.Title, browser.DecryptJson(r.Body).GetProperty("body").GetString()));
        }
        // The first retry waits at least half of FirstRetrySeconds (jitter in [1/2, 1]), the second twice that.
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(90), $"{requests[1].At - requests[0].At}");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromMilliseconds(190), $"{requests[2].At - requests[1].At}");
        Assert.True(await EventuallyAsync(async db =>
        {
            var notice = await db.Set<PushNotice>().AsNoTracking().Join(db.Set<PushDevice>().Where(d => d.Endpoint == browser.Endpoint), n => n.DeviceId, d => d.Id, (n, _) => n).SingleAsync();
            return notice.Status == DeliveryStatus.Delivered && notice.Attempts == 3 && notice.LastStatusCode == 201;
        }), "delivered on the third attempt");
    }

    [Fact]
    public async Task Subscribe_RefusesWhatIsNotAPushSubscription()
    {
        using var ops = await app.SignInAsync("ops1");
        using var browser = new BrowserSubscription("https://push.example.com/send/abc");
        var good = JsonSerializer.SerializeToElement(browser.Json);
        var p256dh = good.GetProperty("keys").GetProperty("p256dh").GetString()!;
        var auth = good.GetProperty("keys").GetProperty("auth").GetString()!;

        async Task Refused(object body, string field)
        {
            var response = await ops.Client.PostAsJsonAsync("/api/me/push", body);
            var problem = await response.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }
        await Refused(new { endpoint = "http://push.example.com/send/abc", keys = new { p256dh, auth } }, "endpoint");
        await Refused(new { endpoint = "https://push.example.com/" + new string('a', PushDevice.EndpointMax), keys = new { p256dh, auth } }, "endpoint");
        await Refused(new { endpoint = "javascript:alert(1)", keys = new { p256dh, auth } }, "endpoint");
        await Refused(new { endpoint = browser.Endpoint, keys = new { p256dh = p256dh[..40], auth } }, "keys.p256dh");
        await Refused(new { endpoint = browser.Endpoint, keys = new { p256dh = "not base64url!", auth } }, "keys.p256dh");
        await Refused(new { endpoint = browser.Endpoint, keys = new { p256dh, auth = auth[..10] } }, "keys.auth");
        await Refused(new { endpoint = browser.Endpoint }, "keys.p256dh");

        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/me/push", browser.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/push/key")).StatusCode);
    }

    [Fact]
    public async Task Devices_AreCappedPerMember_AndEachIsTurnedOffOnItsOwn()
    {
        using var admin = await app.SignInAsync("admin");
        var endpoints = new List<string>();
        for (var i = 0; i < PushDevice.MaxPerMember; i++)
        {
            using var browser = new BrowserSubscription($"https://push.example.com/send/{Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PostAsJsonAsync("/api/me/push", browser.Json)).StatusCode);
            // Subscribing the same device again renews it rather than counting twice.
            Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PostAsJsonAsync("/api/me/push", browser.Json)).StatusCode);
            endpoints.Add(browser.Endpoint);
        }
        using var oneTooMany = new BrowserSubscription("https://push.example.com/send/one-too-many");
        await (await admin.Client.PostAsJsonAsync("/api/me/push", oneTooMany.Json)).IsProblemAsync(HttpStatusCode.Conflict, "conflict");

        // Another member cannot turn off this member's device.
        using var staff = await app.SignInAsync("staff1");
        Assert.Equal(HttpStatusCode.NotFound, (await DeleteAsync(staff, endpoints[0])).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync(admin, endpoints[0])).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PostAsJsonAsync("/api/me/push", oneTooMany.Json)).StatusCode);
        foreach (var endpoint in endpoints.Skip(1).Append(oneTooMany.Endpoint))
            Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync(admin, endpoint)).StatusCode);
    }

    private static Task<HttpResponseMessage> DeleteAsync(Session session, string endpoint) =>
        session.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/me/push") { Content = JsonContent.Create(new { endpoint }) });

    private async Task<bool> EventuallyAsync(Func<BoardDb, Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Within;
        while (true)
        {
            using (var scope = app.Services.CreateScope())
            {
                if (await condition(scope.ServiceProvider.GetRequiredService<BoardDb>())) return true;
            }
            if (DateTimeOffset.UtcNow > deadline) return false;
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// RFC 8292: <c>Authorization: vapid t=JWT, k=key</c>; the JWT is ES256, signed by the key the page subscribed
    /// with, for the push service's origin, expiring within 24 hours, naming the operator.
    /// </summary>
    private static void AssertVapid(string? authorization, string publicKey, Uri pushService)
    {
        Assert.NotNull(authorization);
        Assert.StartsWith("vapid ", authorization);
        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(publicKey, parameters["k"]);
        var parts = parameters["t"].Split('.');
        Assert.Equal(3, parts.Length);

        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        var key = Base64Url.DecodeFromChars(publicKey);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key[1..33], Y = key[33..65] },
        });
        Assert.True(ecdsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "ES256 signature verifies with the public key");

        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
        Assert.Equal(pushService.GetLeftPart(UriPartial.Authority), claims.GetProperty("aud").GetString());
        Assert.Equal(PushApp.Subject, claims.GetProperty("sub").GetString());
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        Assert.InRange(expires, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(24));
    }
}

public sealed class PostgresPushApp : PostgresBoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Keys:VapidKey"] = Path.Combine(Folder, "vapid.pem"),
        ["Push:Subject"] = PushApp.Subject,
        ["Push:BundleSeconds"] = "0",
        ["Push:PollMilliseconds"] = "100",
    };
}

/// <summary>The outbox and its claims on PostgreSQL: the same notice reaches the device once, decryptable.</summary>
[Trait("Kind", "Api")]
public sealed class PostgresPushTests(PostgresPushApp app) : IClassFixture<PostgresPushApp>
{
    [Fact]
    public async Task ProposalPosted_ReachesTheApproversDevice_Once()
    {
        await using var receiver = await PushReceiver.StartAsync();
        using var ops = await app.SignInAsync("ops1");
        using var staff = await app.SignInAsync("staff1");
        var (device, endpoint) = receiver.NewDevice();
        using var browser = new BrowserSubscription(endpoint);
        Assert.Equal(HttpStatusCode.NoContent, (await ops.Client.PostAsJsonAsync("/api/me/push", browser.Json)).StatusCode);
        var board = await app.FirstBoardAsync();

        var proposal = await staff.PostAsync(board.Id, "Trolley bay by the car park");

        var request = Assert.Single(await receiver.WaitForAsync(device, 1, TimeSpan.FromSeconds(30)));
        Assert.Equal($"/#/proposal/{proposal.Id}", browser.DecryptJson(request.Body).GetProperty("url").GetString());
        await Task.Delay(500);
        Assert.Single(receiver.For(device));
    }
}
