using System.Data.Common;
using Board.Web.Auth;
using Board.Web.Persistence;
using Board.Web.Realtime;
using Board.Web.Telemetry;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Board.Tests.Realtime;

/// <summary>How many database connections the app's <see cref="BoardDb"/>s have created and not yet disposed: one per live DbContext that has used the database.</summary>
public sealed class OpenContexts : DbConnectionInterceptor
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public override DbConnection ConnectionCreated(ConnectionCreatedEventData eventData, DbConnection result)
    {
        Interlocked.Increment(ref _open);
        return result;
    }

    public override void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Interlocked.Decrement(ref _open);

    public override Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Interlocked.Decrement(ref _open);
        return Task.CompletedTask;
    }
}

public sealed class ContextCountingApp : BoardApp
{
    public OpenContexts Contexts { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.ConfigureDbContext<SqliteBoardDb>(o => o.AddInterceptors(Contexts), ServiceLifetime.Singleton);
            // The host pools its contexts, and a pooled context keeps its connection when given back. Here a scope that
            // asks for one gets one of its own, disposed with the scope, so that the count shows how long scopes live.
            services.RemoveAll<BoardDb>();
            services.AddScoped<BoardDb>(sp => new SqliteBoardDb(sp.GetRequiredService<DbContextOptions<SqliteBoardDb>>()));
        });
    }
}

/// <summary>
/// An idle watcher costs the server only what its connection needs: a hub request lives as long as its WebSocket, so
/// anything it keeps (a DbContext of the request's scope, per-connection bookkeeping never removed) is kept per watcher.
/// </summary>
[Trait("Kind", "Api")]
public sealed class IdleConnectionTests(ContextCountingApp app) : IClassFixture<ContextCountingApp>
{
    [Fact]
    public async Task OpenHubConnections_HoldNoDbContext_AndLeaveNoBookkeepingWhenClosed()
    {
        var board = await app.FirstBoardAsync();
        using var member = await app.SignInAsync("staff2");
        var metrics = app.Services.GetRequiredService<HubMetrics>();
        var sessions = app.Services.GetRequiredService<HubSessions>();
        var presence = app.Services.GetRequiredService<PresenceTracker>();
        var connections = new List<HubConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = await member.ConnectAsync();
                connections.Add(connection);
                await connection.InvokeAsync("Watch", board.Id);
            }
            Assert.Equal(3, metrics.Counted);
            Assert.Equal(3, sessions.Count);

            // Background work (the session watchdog, the broadcasters) opens and closes contexts of its own all the
            // time; with the three connections open, the count must still come back to zero.
            Assert.True(await EventuallyAsync(() => app.Contexts.Open == 0),
                $"{app.Contexts.Open} DbContexts stay alive while {connections.Count} hub connections are open");
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }

        Assert.True(await EventuallyAsync(() => metrics.Counted == 0 && sessions.Count == 0),
            $"after closing: {metrics.Counted} connections still counted, {sessions.Count} sessions still tracked");
        Assert.True(await EventuallyAsync(() => presence.MembersOn(board.Id).Count == 0));
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }
}
