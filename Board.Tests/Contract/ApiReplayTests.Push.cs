using Board.Tests.Push;

namespace Board.Tests.Contract;

public sealed partial class ApiReplayTests
{
    private async Task ReplayPushAsync(HttpClient anonymous, Session staff)
    {
        const string devices = "/api/me/push";
        await Send(staff.Client, "GET", "/api/push/key", 200);
        await Send(anonymous, "GET", "/api/push/key", 401, "unauthenticated");

        using var device = new BrowserSubscription($"https://push.example.com/send/replay-{Guid.NewGuid():N}");
        await Send(staff.Client, "POST", devices, 204, body: device.Json);
        await Send(staff.Client, "POST", devices, 204, body: device.Json);
        await Send(staff.Client, "POST", devices, 400, "validation", new { endpoint = device.Endpoint, keys = new { p256dh = "short", auth = "short" } });
        await Send(staff.Client, "POST", devices, 400, "validation", new { endpoint = "http://push.example.com/x", keys = new { p256dh = "x", auth = "x" } });
        await Send(anonymous, "POST", devices, 401, "unauthenticated", device.Json);

        await Send(staff.Client, "DELETE", devices, 400, "validation", new { endpoint = "" });
        await Send(anonymous, "DELETE", devices, 401, "unauthenticated", new { endpoint = device.Endpoint });
        await Send(staff.Client, "DELETE", devices, 204, body: new { endpoint = device.Endpoint });
        await Send(staff.Client, "DELETE", devices, 404, "not-found", new { endpoint = device.Endpoint });
    }
}
