using System.Net;
using System.Net.Http.Json;
using Board.Domain.Trail;
using Board.Web.Trail;
using Board.Web.Webhooks;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Frontend;

public sealed partial class AdminPageTests
{
    [Fact]
    public async Task AdminAddsAWebhook_TheLogShowsTheFailedAndTheSuccessfulAttempt_RedeliverReachesTheReceiver_DeleteRemovesIt()
    {
        using var api = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        using var ops = await app.SignInAsync("ops1");
        var board = await api.NewBoardAsync(approvalsRequired: 1);
        await using var receiver = await WebhookReceiver.StartAsync((_, n) => Task.FromResult(n == 1 ? 500 : 200));

        await using var admin = await AdminOnTabAsync("webhooks");
        await Expect(admin.Page.Locator("#webhook-actions input[type=checkbox]")).ToHaveCountAsync(TrailActions.All.Count);
        Assert.Equal(TrailActions.All, await admin.Page.Locator("#webhook-actions input[type=checkbox]").EvaluateAllAsync<string[]>("boxes => boxes.map(b => b.value)"));
        await admin.Page.Locator("#webhook-board").SelectOptionAsync(board.Id.ToString());
        await Expect(admin.Page.Locator("#webhooks-heading")).ToContainTextAsync(board.Name);
        await Expect(admin.Page.Locator("#admin-webhooks .admin-webhook")).ToHaveCountAsync(0);

        // The server's field error for a URL it refuses appears under the URL.
        await admin.Page.Locator("#webhook-url").FillAsync("ftp://127.0.0.1/hook");
        await admin.Page.Locator("#generate-secret").ClickAsync();
        var secret = await admin.Page.Locator("#webhook-secret").InputValueAsync();
        Assert.Matches("^[0-9a-f]{64}$", secret);
        await admin.Page.Locator("#webhook-actions input[value='proposal.executed']").CheckAsync();
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Add webhook" }).ClickAsync();
        await Expect(admin.Page.Locator("#webhook-url-error")).ToHaveTextAsync("Enter a public http or https address.");
        await Expect(admin.Page.Locator("#webhook-url")).ToHaveAttributeAsync("aria-invalid", "true");

        await admin.Page.Locator("#webhook-url").FillAsync(receiver.Url.ToString());
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Add webhook" }).ClickAsync();
        await Expect(admin.Page.Locator("#created-secret")).ToHaveTextAsync(secret);
        var item = admin.Page.Locator("#admin-webhooks .admin-webhook");
        await Expect(item).ToHaveCountAsync(1);
        await Expect(item).ToContainTextAsync(receiver.Url.ToString());
        await Expect(item).ToContainTextAsync("Executed");
        var webhookId = Guid.Parse((await item.GetAttributeAsync("data-id"))!);

        var posted = await staff.PostAsync(board.Id, "Open a second till at lunch");
        Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(posted.Id)).StatusCode);
        Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 2, TimeSpan.FromSeconds(15)), $"Expected a failed and a successful call, got {receiver.Calls.Count}");

        await item.Locator("a[data-action=log]").ClickAsync();
        var delivery = admin.Page.Locator("#admin-deliveries .delivery");
        await Expect(delivery).ToHaveCountAsync(1);
        await Expect(delivery).ToHaveAttributeAsync("data-status", "delivered");
        var attempts = delivery.Locator(".attempts tbody tr");
        await Expect(attempts).ToHaveCountAsync(2);
        await Expect(attempts.Nth(0).Locator(".attempt-code")).ToHaveTextAsync("500");
        await Expect(attempts.Nth(0).Locator(".attempt-error")).Not.ToHaveTextAsync("—");
        await Expect(attempts.Nth(1).Locator(".attempt-code")).ToHaveTextAsync("200");
        await Expect(attempts.Nth(1).Locator(".attempt-error")).ToHaveTextAsync("—");
        await Expect(delivery.Locator(".card-title")).ToContainTextAsync("Executed");
        await Expect(delivery.Locator(".card-title")).ToHaveAttributeAsync("data-action", "proposal.executed");
        await Expect(admin.Page.Locator("#main")).Not.ToContainTextAsync("null");

        await delivery.Locator(".redeliver").ClickAsync();
        Assert.True(await receiver.WaitUntilAsync(c => c.Count >= 3, TimeSpan.FromSeconds(10)), "Redeliver should reach the receiver");
        Assert.Single(receiver.Calls.Select(c => c.Delivery).Distinct());
        await Expect(attempts).ToHaveCountAsync(3);
        await Expect(delivery).ToHaveAttributeAsync("data-status", "delivered");
        await Expect(attempts.Nth(2).Locator(".attempt-code")).ToHaveTextAsync("200");
        await admin.ScreenshotAsync("admin-deliveries.png");

        await admin.Page.Locator(".back").ClickAsync();
        await Expect(admin.Page.Locator("#webhook-board")).ToHaveValueAsync(board.Id.ToString());
        await item.Locator("button[data-action=delete]").ClickAsync();
        await Expect(item.Locator(".confirm")).ToContainTextAsync("Its delivery log stays readable");
        await item.Locator(".confirm-yes").ClickAsync();
        await Expect(admin.Page.Locator("#admin-webhooks .admin-webhook")).ToHaveCountAsync(0);
        await Expect(admin.Page.Locator("#admin-webhooks")).ToContainTextAsync("No webhooks on this board.");
        Assert.NotNull((await api.Client.GetFromJsonAsync<WebhookDto>($"/api/webhooks/{webhookId}", BoardApp.Json))!.DeletedAt);

        // The log of a deleted webhook stays readable, without Redeliver.
        await admin.GoAsync($"#/admin/webhook-{webhookId}");
        await Expect(admin.Page.Locator("#webhook-deleted")).ToBeVisibleAsync();
        await Expect(admin.Page.Locator("#admin-deliveries .delivery .attempts tbody tr")).ToHaveCountAsync(3);
        await Expect(admin.Page.Locator("#admin-deliveries .redeliver")).ToHaveCountAsync(0);

        var trail = (await api.Client.GetFromJsonAsync<TrailPage>($"/api/audit?boardId={board.Id}&after=0&limit=200", BoardApp.Json))!.Items;
        Assert.Equal(["webhook.created", "webhook.deleted"], trail.Where(e => e.Action.StartsWith("webhook.", StringComparison.Ordinal)).Select(e => e.Action));
        AssertNoScriptErrors(admin);
    }
}
