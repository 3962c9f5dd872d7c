namespace Board.Tests.Webhooks;

/// <summary>
/// Two instances' workers race for the same outbox while the receiver holds every answer: each delivery is
/// claimed by one of them, once. (Attempts time out only after 30 s here, so a slow machine cannot pass a
/// timed-out first attempt off as a double claim.)
/// </summary>
[Trait("Kind", "Api")]
public abstract class WebhookClaimTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : BoardApp
{
    private const string Secret = "a-receiver-secret-of-some-length";

    [Fact]
    public async Task TwoWorkersOnOneDatabase_ClaimADeliveryOnce()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        var board = await admin.NewBoardAsync();
        var gate = new TaskCompletionSource();
        await using var receiver = await WebhookReceiver.StartAsync(async (_, _) =>
        {
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(25));
            return 200;
        });
        var hook = await admin.AddWebhookAsync(board.Id, receiver.Url, Secret, "proposal.posted");

        // A second app on the same database file: a second instance with its own worker.
        var other = new InstanceApp(app.Folder, PatientWebhookApp.PatientSettings, app.PostgresDatabase);
        try
        {
            await other.InitializeAsync();
            for (var i = 0; i < 5; i++) await staff.PostAsync(board.Id, $"Proposal {i}");
            Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 5, TimeSpan.FromSeconds(20)));
            await Task.Delay(500);
            gate.SetResult();
            var log = await admin.WaitForDeliveriesAsync(hook.Id, l => l.Count == 5 && l.All(d => d.Status == "delivered"), TimeSpan.FromSeconds(10));
            Assert.All(log, d => Assert.Equal(1, d.Attempts));
            Assert.Equal(5, receiver.Calls.Count);
            Assert.Equal(5, receiver.Calls.Select(c => c.Delivery).Distinct().Count());
        }
        finally
        {
            await other.DisposeAsync();
        }
    }
}

public sealed class WebhookClaimTestsSqlite(PatientWebhookApp app) : WebhookClaimTests<PatientWebhookApp>(app);

public sealed class WebhookClaimTestsPostgres(PatientPostgresWebhookApp app) : WebhookClaimTests<PatientPostgresWebhookApp>(app);
