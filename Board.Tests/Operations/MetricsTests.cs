using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Operations;

/// <summary>
/// Meters are process-wide, so another app running in the same test process at the same moment would move the same
/// counters: this collection runs alone.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsTests))]
[Trait("Kind", "Api")]
public sealed class MetricsTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task ApprovalThatExecutes_MovesExecutionsAndDecisionTimeByOne()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff2");
        var proposal = await author.PostAsync(board.Id, "Count this decision once", "Metrics should move by exactly one.");
        await app.ApproveAsAsync(proposal.Id, "ops1", "ops2");

        var before = await ScrapeAsync();
        await app.ApproveAsAsync(proposal.Id, "ops3");
        var after = await ScrapeAsync();

        Assert.Equal("executed", (await author.GetAsync(proposal.Id)).Status);
        Assert.Equal(1, after.Sum("board_executions_total") - before.Sum("board_executions_total"));
        Assert.Equal(1, after.Sum("board_decision_duration_seconds_count") - before.Sum("board_decision_duration_seconds_count"));
        Assert.Equal(1, after.Sum("board_approvals_total") - before.Sum("board_approvals_total"));
        Assert.True(after.Sum("board_decision_duration_seconds_sum") > before.Sum("board_decision_duration_seconds_sum"));
    }

    [Fact]
    public async Task Writes_RunOnStatementsPreparedOnce_NotPreparedPerWrite()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        var warm = await author.PostAsync(board.Id, "Warm the writers' statements", "Each kind of write prepares its statements once.");
        await app.ApproveAsAsync(warm.Id, "ops1");

        var before = await ScrapeAsync();
        for (var i = 0; i < 5; i++)
        {
            var proposal = await author.PostAsync(board.Id, $"Reuse the statements {i}", "The same writes again.");
            await app.ApproveAsAsync(proposal.Id, "ops1");
        }
        var after = await ScrapeAsync();

        var reused = after.Sum("board_db_statements_reused_total") - before.Sum("board_db_statements_reused_total");
        var prepared = after.Sum("board_db_statements_prepared_total") - before.Sum("board_db_statements_prepared_total");
        // Ten writes of two kinds already seen, each several statements on the writers' connection (loads, head, saves).
        Assert.True(reused >= 40, $"{reused} statements reused over ten writes");
        Assert.True(prepared <= reused / 4, $"{prepared} prepared against {reused} reused");
    }

    [Fact]
    public async Task Reads_RunOnStatementsPreparedOnce_NotPreparedPerRequest()
    {
        var board = await app.FirstBoardAsync();
        using var reader = await app.SignInAsync("staff3");
        // Each pooled context keeps the statements of its own connection; the pool hands them out in turn, so every
        // one of them sees these reads during the warm-up.
        for (var i = 0; i < 60; i++) Assert.Equal(HttpStatusCode.OK, (await reader.Client.GetAsync($"/api/boards/{board.Id}/proposals")).StatusCode);

        var before = await ScrapeAsync();
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await reader.Client.GetAsync($"/api/boards/{board.Id}/proposals")).StatusCode);
        var after = await ScrapeAsync();

        var reused = after.Sum("board_db_statements_reused_total") - before.Sum("board_db_statements_reused_total");
        var prepared = after.Sum("board_db_statements_prepared_total") - before.Sum("board_db_statements_prepared_total");
        // Twenty requests, each the session check and the page's reads.
        Assert.True(reused >= 40, $"{reused} statements reused over twenty reads");
        Assert.True(prepared <= reused / 4, $"{prepared} prepared against {reused} reused");
    }

    [Fact]
    public async Task Refusal_IsCountedByCode()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("ops4");
        var proposal = await author.PostAsync(board.Id, "Refused by name", "The author cannot approve.");

        var before = await ScrapeAsync();
        await (await author.ApproveAsync(proposal.Id)).IsProblemAsync(HttpStatusCode.Forbidden, "own-proposal");
        var after = await ScrapeAsync();

        Assert.Equal(1, after.Sum("board_refusals_total", "code=\"own-proposal\"") - before.Sum("board_refusals_total", "code=\"own-proposal\""));
    }

    [Fact]
    public async Task HubConnection_IsCountedUpAndDown()
    {
        using var member = await app.SignInAsync("staff3");
        var before = await ScrapeAsync();
        var connection = await member.ConnectAsync();
        await WaitForAsync(s => s.Sum("board_hub_connections") == before.Sum("board_hub_connections") + 1);
        await connection.DisposeAsync();
        await WaitForAsync(s => s.Sum("board_hub_connections") == before.Sum("board_hub_connections"));
    }

    [Fact]
    public async Task Metrics_AreServedToThisMachine_WithBoardsInstruments()
    {
        using var client = app.Anonymous();
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE board_outbox_age_seconds gauge", text);
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    private async Task WaitForAsync(Func<Scrape, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition(await ScrapeAsync()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the metric did not move within 10 s");
            await Task.Delay(50);
        }
    }

    private async Task<Scrape> ScrapeAsync()
    {
        using var client = app.Anonymous();
        return new Scrape(await client.GetStringAsync("/metrics"));
    }
}

/// <summary>Requests that carry <c>X-Test-Remote</c> arrive as if from that address: a caller from another machine, on loopback.</summary>
public sealed class RemoteCallerApp : BoardApp
{
    public const string Header = "X-Test-Remote";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, RemoteAddressFilter>());
    }

    private sealed class RemoteAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                if (http.Request.Headers[Header] is [{ } address]) http.Connection.RemoteIpAddress = IPAddress.Parse(address);
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}

[Collection(nameof(MetricsTests))]
[Trait("Kind", "Api")]
public sealed class MetricsAccessTests(RemoteCallerApp app) : IClassFixture<RemoteCallerApp>
{
    [Fact]
    public async Task Metrics_FromAnotherMachine_Is404()
    {
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        client.DefaultRequestHeaders.Add(RemoteCallerApp.Header, "203.0.113.7");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
    }
}

/// <summary>On <c>Metrics:Port</c> the app serves <c>/metrics</c> and nothing else.</summary>
public sealed class MetricsPortApp : BoardApp
{
    private static readonly int Port = FreePort();

    public MetricsPortApp() : base(Directory.CreateTempSubdirectory("board-tests-").FullName, ownsFolder: true, port: Port) { }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Metrics:Port"] = Port.ToString(CultureInfo.InvariantCulture) };

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[Collection(nameof(MetricsTests))]
[Trait("Kind", "Api")]
public sealed class MetricsPortTests(MetricsPortApp app) : IClassFixture<MetricsPortApp>
{
    [Fact]
    public async Task MetricsPort_ServesMetricsOnly()
    {
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/")).StatusCode);
    }
}

[Collection(nameof(MetricsTests))]
[Trait("Kind", "Api")]
public sealed class WebhookMetricsTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    [Fact]
    public async Task ReceiverThatFailsOnce_CountsOneFailureThenOneDelivery()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        var board = await admin.NewBoardAsync();
        await using var receiver = await WebhookReceiver.StartAsync((_, n) => Task.FromResult(n == 1 ? 503 : 200));
        var hook = await admin.AddWebhookAsync(board.Id, receiver.Url, "a-receiver-secret-of-some-length", "proposal.posted");
        using var client = app.Anonymous();
        var before = new Scrape(await client.GetStringAsync("/metrics"));

        await staff.PostAsync(board.Id);
        var log = await admin.WaitForDeliveriesAsync(hook.Id, l => l.Count == 1 && l[0].Status == "delivered", TimeSpan.FromSeconds(15));
        Assert.Equal([503, 200], Assert.Single(log).AttemptLog.Select(a => a.StatusCode ?? 0));

        var after = new Scrape(await client.GetStringAsync("/metrics"));
        Assert.Equal(1, after.Sum("board_webhook_deliveries_total") - before.Sum("board_webhook_deliveries_total"));
        Assert.Equal(1, after.Sum("board_webhook_failures_total", "final=\"false\"") - before.Sum("board_webhook_failures_total", "final=\"false\""));
        Assert.Equal(0, after.Sum("board_webhook_failures_total", "final=\"true\"") - before.Sum("board_webhook_failures_total", "final=\"true\""));
        Assert.Equal(0, after.Sum("board_outbox_age_seconds"));
    }
}

/// <summary>One read of <c>/metrics</c> in Prometheus text.</summary>
internal sealed record Scrape(string Text)
{
    /// <summary>The sum over every series of <paramref name="name"/> (whose labels contain <paramref name="label"/>); 0 when none was written yet.</summary>
    public double Sum(string name, string label = "") => Text.Split('\n')
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
        .Where(line => line.Contains(label, StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.Contains('}') ? line.LastIndexOf('}') + 1 : name.Length)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
}
