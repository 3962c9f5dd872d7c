using System.Net;
using System.Net.Http.Json;
using Board.Web.Boards;
using Board.Web.Webhooks;

namespace Board.Tests;

/// <summary>What the admin tests do over and over, through the public API.</summary>
public static class AdminApi
{
    /// <summary>A fresh board, so a test's webhooks and counts see only its own proposals.</summary>
    public static async Task<BoardDto> NewBoardAsync(this Session admin, int approvalsRequired = 3, string? name = null)
    {
        var response = await admin.Client.PostAsJsonAsync("/api/boards", new
        {
            name = name ?? $"Board {Guid.NewGuid():N}"[..20],
            policy = new { approvalsRequired, approverRole = "operations", expiresAfterDays = 14 },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<BoardDto>(BoardApp.Json))!;
    }

    public static async Task<CreatedWebhookDto> AddWebhookAsync(this Session admin, Guid boardId, Uri url, string? secret, params string[] actions)
    {
        var response = await admin.Client.PostAsJsonAsync($"/api/boards/{boardId}/webhooks", new { url = url.ToString(), secret, actions });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedWebhookDto>(BoardApp.Json))!;
    }

    public static async Task<List<DeliveryDto>> DeliveriesAsync(this Session admin, Guid webhookId) =>
        (await admin.Client.GetFromJsonAsync<DeliveryPage>($"/api/webhooks/{webhookId}/deliveries", BoardApp.Json))!.Items.ToList();

    /// <summary>Polls the delivery log (bounded) until <paramref name="done"/> holds; returns the last log read.</summary>
    public static async Task<List<DeliveryDto>> WaitForDeliveriesAsync(this Session admin, Guid webhookId, Func<List<DeliveryDto>, bool> done, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        var log = await admin.DeliveriesAsync(webhookId);
        while (!done(log) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
            log = await admin.DeliveriesAsync(webhookId);
        }
        return log;
    }
}
