using Board.Web.Auth;
using Board.Web.Persistence;
using Board.Web.Realtime;
using Board.Web.Telemetry;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Board.Tests.Realtime;

/// <summary>How many scopes hold a <see cref="BoardDb"/> now: counted from the moment a scope asks for one until the scope ends.</summary>
public sealed class OpenContexts
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    /// <summary>Lives in the scope beside its context.</summary>
    public sealed class Ticket : IDisposable
    {
        private readonly OpenContexts _count;
        private int _ended;

        public Ticket(OpenContexts count)
        {
            _count = count;
            Interlocked.Increment(ref count._open);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) Interlocked.Decrement(ref _count._open);
        }
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
            // A scope that asks for a context gets, beside it, a ticket that ends with the scope (and a context of its own:
            // what is counted is how long scopes that hold one live, pooled or not).
            services.AddSingleton(Contexts);
            services.AddScoped<OpenContexts.Ticket>();
            services.RemoveAll<BoardDb>();
            services.AddScoped<BoardDb>(sp =>
            {
                sp.GetRequiredService<OpenContexts.Ticket>();
                return new SqliteBoardDb(sp.GetRequiredService<DbContextOptions<SqliteBoardDb>>());
            });
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
