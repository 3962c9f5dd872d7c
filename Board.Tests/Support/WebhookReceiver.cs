using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Board.Tests;

/// <summary>One POST as the receiver got it: headers and the exact body bytes.</summary>
public sealed record Received(string? Event, string? Delivery, string? Signature, string? ContentType, byte[] Body, DateTimeOffset At);

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (Kestrel). <c>respond</c> gets what arrived and how many times that
/// delivery id has arrived so far (1 the first time), and returns the status code to answer with.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<Received> Calls { get; } = new();
    public Uri Url { get; }
    public int Port => Url.Port;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> StartAsync(Func<Received, int, Task<int>>? respond = null, int port = 0)
    {
        respond ??= (_, _) => Task.FromResult(200);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        var seen = new ConcurrentDictionary<string, int>();
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var headers = http.Request.Headers;
            var received = new Received(headers["X-Board-Event"], headers["X-Board-Delivery"], headers["X-Board-Signature"],
                http.Request.ContentType, buffer.ToArray(), DateTimeOffset.UtcNow);
            receiver!.Calls.Enqueue(received);
            var count = seen.AddOrUpdate(received.Delivery ?? "", 1, (_, n) => n + 1);
            http.Response.StatusCode = await respond(received, count);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(new Uri(address), "/hook"));
        return receiver;
    }

    /// <summary>Waits (bounded) until <paramref name="done"/> holds for the calls so far.</summary>
    public async Task<bool> WaitUntilAsync(Func<IReadOnlyList<Received>, bool> done, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (done([.. Calls])) return true;
            await Task.Delay(50);
        }
        return done([.. Calls]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
