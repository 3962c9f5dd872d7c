using Board.Web.Persistence;
using Board.Web.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Board.Tests.Webhooks;

/// <summary>The app on a fake clock: leases and retry times are moved by the test, not by waiting.</summary>
public sealed class FakeClockWebhookApp : BoardApp
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override FakeTimeProvider? Clock => Time;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Webhooks:PollMilliseconds"] = "100",
    };
}

[Trait("Kind", "Api")]
public sealed class WebhookLeaseTests(FakeClockWebhookApp app) : IClassFixture<FakeClockWebhookApp>
{
    [Fact]
    public async Task DeliveryHeldByADeadWorker_IsSentAgainOnceItsLeaseRunsOut()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        var board = await admin.NewBoardAsync();
        await using var receiver = await WebhookReceiver.StartAsync((_, n) => Task.FromResult(n == 1 ? 503 : 200));
        var hook = await admin.AddWebhookAsync(board.Id, receiver.Url, "a-receiver-secret-of-some-length", "proposal.posted");
        await staff.PostAsync(board.Id);
        var log = await admin.WaitForDeliveriesAsync(hook.Id, l => l.Count == 1 && l[0].Attempts == 1, TimeSpan.FromSeconds(10));
        var delivery = Assert.Single(log);
        Assert.Equal("pending", delivery.Status);
        Assert.True(delivery.NextAttemptAt > app.Time.GetUtcNow(), "The retry waits on the (fake) clock");
        Assert.True(delivery.NextAttemptAt <= app.Time.GetUtcNow().AddSeconds(5), "The first retry comes within FirstRetrySeconds");

        // A worker claims it and is killed (-9) mid-attempt: its lease stays in the row.
        var now = app.Time.GetUtcNow();
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            Assert.Equal(1, await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.LeaseUntil, now.AddSeconds(60))
                .SetProperty(d => d.LeaseId, Guid.NewGuid())));
        }
        await Task.Delay(1_000);
        Assert.Single(receiver.Calls);

        app.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 2, TimeSpan.FromSeconds(10)), "The abandoned lease should be re-claimed");
        Assert.Equal(delivery.Id.ToString(), receiver.Calls.Last().Delivery);
        log = await admin.WaitForDeliveriesAsync(hook.Id, l => l[0].Status == "delivered", TimeSpan.FromSeconds(10));
        Assert.Equal(2, log[0].Attempts);
    }
}
