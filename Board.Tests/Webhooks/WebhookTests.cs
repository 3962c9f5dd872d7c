using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Board.Web.Trail;
using Board.Web.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Board.Tests.Webhooks;

[Trait("Kind", "Api")]
public sealed class WebhookTests(WebhookApp app, ITestOutputHelper output) : IClassFixture<WebhookApp>
{
    private const string Secret = "a-receiver-secret-of-some-length";

    [Fact]
    public async Task Delivery_IsSignedWithHmacOfTheRawBody_AndCarriesTheTrailEntry()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        using var ops = await app.SignInAsync("ops1");
        var board = await admin.NewBoardAsync(approvalsRequired: 1);
        await using var receiver = await WebhookReceiver.StartAsync();
        await admin.AddWebhookAsync(board.Id, receiver.Url, Secret, "proposal.posted", "proposal.executed");

        var proposal = await staff.PostAsync(board.Id);
        Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(proposal.Id)).StatusCode);

        Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 2, TimeSpan.FromSeconds(15)), "Both deliveries should arrive");
        await Task.Delay(300);
        var calls = receiver.Calls.ToList();
        Assert.Equal(["proposal.executed", "proposal.posted"], calls.Select(c => c.Event).Order());

        var trail = (await staff.Client.GetFromJsonAsync<TrailPage>($"/api/audit?proposalId={proposal.Id}&after=0", BoardApp.Json))!;
        foreach (var call in calls)
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), call.Body));
            Assert.Equal(expected, call.Signature);
            Assert.StartsWith("application/json", call.ContentType);
            Assert.True(Guid.TryParse(call.Delivery, out _));

            var body = JsonDocument.Parse(call.Body).RootElement;
            Assert.Equal(call.Event, body.GetProperty("action").GetString());
            var entry = trail.Items.Single(e => e.Seq == body.GetProperty("seq").GetInt64());
            Assert.Equal(entry.Action, call.Event);
            Assert.Equal(entry.Hash, body.GetProperty("hash").GetString());
            Assert.Equal(entry.PrevHash, body.GetProperty("prevHash").GetString());
            Assert.Equal(entry.At, body.GetProperty("at").GetString());
            Assert.Equal(proposal.Id, body.GetProperty("proposalId").GetGuid());
        }
        // A receiver with the wrong secret would compute a different signature.
        var wrong = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("another-secret-entirely"u8, calls[0].Body));
        Assert.NotEqual(wrong, calls[0].Signature);
    }

    [Fact]
    public async Task ReceiverThatFailsTwice_GetsTheSameDeliveryIdThreeTimes_AndEveryAttemptIsLogged()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        var board = await admin.NewBoardAsync();
        await using var receiver = await WebhookReceiver.StartAsync((_, n) => Task.FromResult(n <= 2 ? 500 : 200));
        var hook = await admin.AddWebhookAsync(board.Id, receiver.Url, Secret, "proposal.posted");

        await staff.PostAsync(board.Id);

        Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 3, TimeSpan.FromSeconds(15)), $"Expected three attempts, got {receiver.Calls.Count}");
        var calls = receiver.Calls.ToList();
        Assert.Equal(3, calls.Count);
        Assert.Single(calls.Select(c => c.Delivery).Distinct());
        Assert.All(calls, c => Assert.Equal(calls[0].Body, c.Body));
        Assert.All(calls, c => Assert.Equal(calls[0].Signature, c.Signature));
        Assert.True(calls[1].At > calls[0].At && calls[2].At > calls[1].At);
        output.WriteLine($"Retry gaps: {(calls[1].At - calls[0].At).TotalMilliseconds:0} ms, {(calls[2].At - calls[1].At).TotalMilliseconds:0} ms");

        var log = await admin.WaitForDeliveriesAsync(hook.Id, l => l.All(d => d.Status == "delivered"), TimeSpan.FromSeconds(10));
        var delivery = Assert.Single(log);
        Assert.Equal("delivered", delivery.Status);
        Assert.Equal(Guid.Parse(calls[0].Delivery!), delivery.Id);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal([1, 2, 3], delivery.AttemptLog.Select(a => a.Number));
        Assert.Equal([500, 500, 200], delivery.AttemptLog.Select(a => a.StatusCode ?? 0));
        Assert.NotNull(delivery.AttemptLog[0].Error);
        Assert.Null(delivery.AttemptLog[2].Error);
        Assert.Null(receiver.Calls.Skip(3).FirstOrDefault());
    }

    [Fact]
    public async Task SlowReceiver_NeverSlowsAnApproval_AndTimesOutOnItsOwn()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        var board = await admin.NewBoardAsync(approvalsRequired: 3);
        await using var receiver = await WebhookReceiver.StartAsync(async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return 200;
        });
        var hook = await admin.AddWebhookAsync(board.Id, receiver.Url, Secret);
        var proposal = await staff.PostAsync(board.Id);
        Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 1, TimeSpan.FromSeconds(10)), "The receiver is being called (and is sleeping)");

        var timings = new List<TimeSpan>();
        ProposalDto? last = null;
        foreach (var ops in new[] { ops1, ops2, ops3 })
        {
            var watch = Stopwatch.StartNew();
            var response = await ops.ApproveAsync(proposal.Id);
            timings.Add(watch.Elapsed);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            last = await response.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json);
        }
        Assert.Equal("executed", last!.Status);
        output.WriteLine($"Approvals with a receiver sleeping 5 s: {string.Join(", ", timings.Select(t => $"{t.TotalMilliseconds:0} ms"))}");
        Assert.All(timings, t => Assert.True(t < TimeSpan.FromSeconds(1), $"Approval took {t.TotalMilliseconds:0} ms"));

        // The worker gives up on a 5 s answer after its (test) timeout of 2 s and logs why.
        var log = await admin.WaitForDeliveriesAsync(hook.Id, l => l.Any(d => d.AttemptLog.Any(a => a.Error?.StartsWith("Timed out", StringComparison.Ordinal) == true)), TimeSpan.FromSeconds(15));
        var timedOut = log.SelectMany(d => d.AttemptLog).First(a => a.Error?.StartsWith("Timed out", StringComparison.Ordinal) == true);
        Assert.Null(timedOut.StatusCode);
        Assert.InRange(timedOut.DurationMs, 1_500, 4_000);
    }

    [Fact]
    public async Task ReceiverDownWhileTheServerRestarts_GetsEveryDeliveryOnceItIsBack()
    {
        var folder = Directory.CreateTempSubdirectory("board-restart-").FullName;
        try
        {
            // A port nobody listens on: the receiver is down.
            int port;
            await using (var probe = await WebhookReceiver.StartAsync()) port = probe.Port;

            Guid hookId;
            List<DeliveryDto> queued;
            var first = new InstanceApp(folder);
            try
            {
                await first.InitializeAsync();
                using var admin = await first.SignInAsync("admin");
                using var staff = await first.SignInAsync("staff1");
                using var ops1 = await first.SignInAsync("ops1");
                using var ops2 = await first.SignInAsync("ops2");
                var board = await admin.NewBoardAsync(approvalsRequired: 2);
                hookId = (await admin.AddWebhookAsync(board.Id, new Uri($"http://127.0.0.1:{port}/hook"), Secret)).Id;
                var proposal = await staff.PostAsync(board.Id);
                await ops1.ApproveAsync(proposal.Id);
                Assert.Equal(HttpStatusCode.OK, (await ops2.ApproveAsync(proposal.Id)).StatusCode);
                queued = await admin.WaitForDeliveriesAsync(hookId, l => l.Count == 4 && l.All(d => d.Attempts >= 1), TimeSpan.FromSeconds(20));
                Assert.Equal(4, queued.Count);
                Assert.All(queued, d => Assert.Equal("pending", d.Status));
                Assert.All(queued, d => Assert.NotNull(d.AttemptLog[0].Error));
            }
            finally
            {
                await first.DisposeAsync();
            }

            // Server stopped; the receiver comes back; then the server does.
            await using var receiver = await WebhookReceiver.StartAsync(port: port);
            await Task.Delay(500);
            Assert.Empty(receiver.Calls);
            var second = new InstanceApp(folder);
            try
            {
                await second.InitializeAsync();
                var ids = queued.Select(d => d.Id.ToString()).ToHashSet();
                using var admin = await second.SignInAsync("admin");
                if (!await receiver.WaitUntilAsync(c => ids.IsSubsetOf(c.Select(r => r.Delivery!)), TimeSpan.FromSeconds(40)))
                    Assert.Fail($"Got {receiver.Calls.Count} calls for {ids.Count} deliveries: "
                        + JsonSerializer.Serialize(await admin.DeliveriesAsync(hookId), BoardApp.Json));
                Assert.Equal(["approval.added", "approval.added", "proposal.executed", "proposal.posted"],
                    receiver.Calls.DistinctBy(c => c.Delivery).Select(c => c.Event!).Order());
                var log = await admin.WaitForDeliveriesAsync(hookId, l => l.All(d => d.Status == "delivered"), TimeSpan.FromSeconds(10));
                Assert.All(log, d => Assert.Equal("delivered", d.Status));
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task RefusedApproval_WritesNoDelivery_AndRedeliverSendsTheSameIdAgain()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        var board = await admin.NewBoardAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await admin.AddWebhookAsync(board.Id, receiver.Url, Secret);
        var proposal = await staff.PostAsync(board.Id);
        await (await staff.ApproveAsync(proposal.Id)).IsProblemAsync(HttpStatusCode.Forbidden, "own-proposal");

        var log = await admin.WaitForDeliveriesAsync(hook.Id, l => l.All(d => d.Status == "delivered"), TimeSpan.FromSeconds(10));
        var delivery = Assert.Single(log);
        Assert.Equal("proposal.posted", delivery.Action);

        var again = await admin.Client.PostAsync($"/api/deliveries/{delivery.Id}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 2, TimeSpan.FromSeconds(10)));
        Assert.All(receiver.Calls, c => Assert.Equal(delivery.Id.ToString(), c.Delivery));

        // Deleting stops it: nothing more is queued for this webhook.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/webhooks/{hook.Id}")).StatusCode);
        await staff.PostAsync(board.Id, "Another one");
        Assert.Single(await admin.DeliveriesAsync(hook.Id));
        await (await admin.Client.PostAsync($"/api/deliveries/{delivery.Id}/redeliver", null)).IsProblemAsync(HttpStatusCode.Conflict, "conflict");
        await (await admin.Client.DeleteAsync($"/api/webhooks/{hook.Id}")).IsProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
