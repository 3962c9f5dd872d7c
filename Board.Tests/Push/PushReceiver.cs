using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Board.Tests.Push;

/// <summary>One message as the push service got it.</summary>
public sealed record PushRequest(string Device, string? Authorization, string? ContentEncoding, string? Ttl, string? ContentType, byte[] Body, DateTimeOffset At);

/// <summary>
/// A stand-in for a push service (RFC 8030) on 127.0.0.1: takes messages at <c>/push/{device}</c> and answers what
/// <see cref="Answers"/> says for that device (the n-th message of a device gets the n-th status; 201 when none is left).
/// </summary>
public sealed class PushReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _seen = new();

    public ConcurrentQueue<PushRequest> Requests { get; } = new();
    public ConcurrentDictionary<string, int[]> Answers { get; } = new();
    public Uri Origin { get; }

    private PushReceiver(WebApplication app, Uri origin) => (_app, Origin) = (app, origin);

    public static async Task<PushReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        PushReceiver? receiver = null;
        app.MapPost("/push/{device}", async (string device, HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var headers = http.Request.Headers;
            receiver!.Requests.Enqueue(new PushRequest(device, headers.Authorization, headers.ContentEncoding, headers["TTL"], http.Request.ContentType,
                buffer.ToArray(), DateTimeOffset.UtcNow));
            var n = receiver._seen.AddOrUpdate(device, 1, (_, c) => c + 1);
            http.Response.StatusCode = receiver.Answers.TryGetValue(device, out var answers) && n <= answers.Length ? answers[n - 1] : 201;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new PushReceiver(app, new Uri(address));
        return receiver;
    }

    /// <summary>A fresh device's endpoint on this push service.</summary>
    public (string Device, string Endpoint) NewDevice()
    {
        var device = Guid.NewGuid().ToString("N");
        return (device, new Uri(Origin, $"/push/{device}").AbsoluteUri);
    }

    public IReadOnlyList<PushRequest> For(string device) => [.. Requests.Where(r => r.Device == device)];

    /// <summary>Waits (bounded) until <paramref name="device"/> has had at least <paramref name="count"/> messages.</summary>
    public async Task<IReadOnlyList<PushRequest>> WaitForAsync(string device, int count, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline && For(device).Count < count) await Task.Delay(50);
        return For(device);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
