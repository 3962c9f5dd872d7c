using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Board.Bench;

/// <summary>
/// The broadcast floor: a bare SignalR hub on Kestrel, no database, no domain, no auth. Started by the bench as a
/// separate process (<c>--floor-server --port P</c>) so that it is measured in the same layout as Board.Web.
/// </summary>
public static class FloorServer
{
    public const string Path = "/hubs/floor";
    public const string Group = "floor";

    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapHub<FloorHub>(Path);
        await app.RunAsync();
    }
}

public sealed class FloorHub : Hub
{
    public Task Watch() => Groups.AddToGroupAsync(Context.ConnectionId, FloorServer.Group);

    /// <summary>Sends <paramref name="payload"/> to every watcher, as Board sends an entry to a board's group.</summary>
    public Task Fire(int round, JsonElement payload) => Clients.Group(FloorServer.Group).SendAsync("event", round, payload);
}
