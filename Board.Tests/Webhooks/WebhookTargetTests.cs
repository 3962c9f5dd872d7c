using System.Net;
using System.Net.Http.Json;
using Board.Web.Persistence;
using Board.Web.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Webhooks;

/// <summary>The test app runs in Development, where private networks are allowed: this one says no, as production does.</summary>
public sealed class NoPrivateNetworksApp : BoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(WebhookApp.FastRetries)
    {
        ["Webhooks:AllowPrivateNetworks"] = "false",
    };
}

[Trait("Kind", "Api")]
public sealed class WebhookTargetTests(NoPrivateNetworksApp app) : IClassFixture<NoPrivateNetworksApp>
{
    private const string Secret = "a-receiver-secret-of-some-length";

    public static TheoryData<string> Internal =>
    [
        "http://127.0.0.1/hook", "http://127.1/hook", "http://0x7f000001/hook", "http://2130706433/hook", "http://0177.0.0.1/hook",
        "http://0x7f.0.0.1/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:7f00:1]/hook",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/hook", "http://169.254.169.254/latest/meta-data", "http://[fd00::1]/hook",
        "http://[fe80::1]/hook", "http://0.0.0.0/hook", "http://0/hook", "http://100.64.0.1/hook", "http://10.0.0.5/hook",
        "http://172.16.3.4/hook", "http://192.168.1.1/hook", "http://[fc00::5]/hook", "http://[::]/hook", "http://224.0.0.1/hook",
        "http://localhost/hook", "http://LOCALHOST./hook", "http://api.localhost/hook", "http://intranet/hook",
        "https://[::ffff:10.0.0.1]:8443/hook", "http://[64:ff9b::7f00:1]/hook", "http://[2002:7f00:1::]/hook",
    ];

    [Theory]
    [MemberData(nameof(Internal))]
    public async Task InternalTargets_AreRefusedAtCreation(string url)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await app.FirstBoardAsync();
        var response = await admin.Client.PostAsJsonAsync($"/api/boards/{board.Id}/webhooks", new { url, secret = Secret });
        var problem = await response.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("fd12::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("100.127.255.255", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("93.184.215.14", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c", true)]
    public void AddressGuard_KnowsPublicFromInternal(string address, bool isPublic) =>
        Assert.Equal(isPublic, AddressGuard.IsPublic(IPAddress.Parse(address)));

    /// <summary>
    /// A name that passed creation and resolves inward when it is connected to (DNS rebinding, or a record changed
    /// later): "vm" is 127.0.0.1 in this machine's hosts file. The receiver must hear nothing, and the log says only
    /// "blocked address".
    /// </summary>
    [Fact]
    public async Task NameResolvingInward_IsBlockedAtConnect_AndTheLogSaysOnlyBlockedAddress()
    {
        var addresses = await Dns.GetHostAddressesAsync("vm");
        Assert.Contains(addresses, IPAddress.IsLoopback);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        var board = await admin.NewBoardAsync();
        Guid webhookId;
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var webhook = Webhook.Create(board.Id, $"http://vm:{receiver.Port}/hook", Secret, null, admin.Member.Id, DateTimeOffset.UtcNow,
                scope.ServiceProvider.GetRequiredService<WebhookSecrets>());
            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync();
            webhookId = webhook.Id;
        }

        await staff.PostAsync(board.Id);
        var log = await admin.WaitForDeliveriesAsync(webhookId, l => l.Count == 1 && l[0].Attempts >= 2, TimeSpan.FromSeconds(15));

        var delivery = Assert.Single(log);
        Assert.True(delivery.Attempts >= 2, $"{delivery.Attempts} attempts");
        Assert.All(delivery.AttemptLog, a =>
        {
            Assert.Null(a.StatusCode);
            Assert.Equal("blocked address", a.Error);
        });
        Assert.Equal("blocked address", delivery.LastError);
        Assert.Empty(receiver.Calls);
    }

    [Fact]
    public async Task Secrets_AreStoredProtected_AndPlainOnesAreProtectedAtStart()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync();
        var created = await admin.Client.PostAsJsonAsync($"/api/boards/{board.Id}/webhooks", new { url = "https://hooks.example.org/in", secret = Secret });
        var hook = (await created.Content.ReadFromJsonAsync<CreatedWebhookDto>(BoardApp.Json))!;
        Assert.Equal(Secret, hook.Secret);

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        var secrets = scope.ServiceProvider.GetRequiredService<WebhookSecrets>();
        var stored = await db.Webhooks.AsNoTracking().Where(w => w.Id == hook.Id).Select(w => w.Secret).SingleAsync();
        Assert.DoesNotContain(Secret, stored);
        Assert.True(WebhookSecrets.IsProtected(stored));
        Assert.Equal(Secret, secrets.Reveal(stored));

        // A row from before encryption: read as it is, then protected.
        await db.Webhooks.Where(w => w.Id == hook.Id).ExecuteUpdateAsync(s => s.SetProperty(w => w.Secret, Secret));
        Assert.Equal(Secret, secrets.Reveal(Secret));
        Assert.True(await secrets.ProtectPlainRowsAsync(db, default) >= 1);
        var again = await db.Webhooks.AsNoTracking().Where(w => w.Id == hook.Id).Select(w => w.Secret).SingleAsync();
        Assert.True(WebhookSecrets.IsProtected(again));
        Assert.Equal(Secret, secrets.Reveal(again));
    }
}
