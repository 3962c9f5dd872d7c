using System.Collections.Concurrent;
using Board.Web.Persistence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Auth;

/// <summary>The hub connections open on this instance, with the member and the security stamp each was opened with.</summary>
public sealed class HubSessions
{
    private readonly ConcurrentDictionary<string, Session> _open = new();

    public sealed record Session(Guid MemberId, string Stamp, HubCallerContext Connection);

    public void Add(HubCallerContext connection, Guid memberId, string stamp) => _open[connection.ConnectionId] = new(memberId, stamp, connection);

    public void Remove(string connectionId) => _open.TryRemove(connectionId, out _);

    public IReadOnlyCollection<Session> Open => [.. _open.Values];

    /// <summary>Whether the member is still active and still carries <paramref name="stamp"/>, in one query.</summary>
    public static Task<bool> IsCurrentAsync(BoardDb db, Guid memberId, string? stamp, CancellationToken ct) =>
        db.Users.AsNoTracking().AnyAsync(u => u.Id == memberId && u.IsActive && u.SecurityStamp == stamp && stamp != null, ct);
}

/// <summary>
/// Hub connections follow the same rule as requests: a connection opens only with a current session, and every hub
/// method re-checks it, so a member deactivated or signed out a moment ago can neither connect nor watch.
/// </summary>
public sealed class SessionHubFilter(HubSessions sessions) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var user = context.Context.User!;
        var db = context.ServiceProvider.GetRequiredService<BoardDb>();
        if (CurrentMember.ReadId(user) is not { } id || CurrentMember.ReadStamp(user) is not { } stamp
            || !await HubSessions.IsCurrentAsync(db, id, stamp, context.Context.ConnectionAborted))
        {
            context.Context.Abort();
            return;
        }
        sessions.Add(context.Context, id, stamp);
        await next(context);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var user = invocation.Context.User!;
        var db = invocation.ServiceProvider.GetRequiredService<BoardDb>();
        if (CurrentMember.ReadId(user) is not { } id
            || !await HubSessions.IsCurrentAsync(db, id, CurrentMember.ReadStamp(user), invocation.Context.ConnectionAborted))
        {
            invocation.Context.Abort();
            throw new HubException("unauthenticated: this session has ended");
        }
        return await next(invocation);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        sessions.Remove(context.Context.ConnectionId);
        await next(context, exception);
    }
}

/// <summary>
/// Closes, within about a second, the hub connections of members deactivated, re-stamped or removed — on every
/// instance, because each instance checks its own connections against the shared database (one query per round),
/// with no message between instances to lose.
/// </summary>
public sealed class SessionWatchdog(HubSessions sessions, IServiceScopeFactory scopes, IConfiguration configuration, ILogger<SessionWatchdog> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(50, configuration.GetValue("Auth:SessionCheckMilliseconds", 1000)));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await CloseStaleAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "Checking hub sessions failed; trying again");
            }
        }
    }

    public async Task<int> CloseStaleAsync(CancellationToken ct)
    {
        var open = sessions.Open;
        if (open.Count == 0) return 0;
        var ids = open.Select(s => s.MemberId).Distinct().ToList();
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        var current = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) && u.IsActive)
            .Select(u => new { u.Id, u.SecurityStamp }).ToDictionaryAsync(u => u.Id, u => u.SecurityStamp, ct);
        var closed = 0;
        foreach (var session in open.Where(s => current.GetValueOrDefault(s.MemberId) != s.Stamp))
        {
            session.Connection.Abort();
            sessions.Remove(session.Connection.ConnectionId);
            closed++;
        }
        if (closed > 0) log.LogInformation("Closed {Count} hub connections whose session was revoked", closed);
        return closed;
    }
}

public static class SessionRevocation
{
    public static IServiceCollection AddSessionRevocation(this IServiceCollection services)
    {
        services.AddSingleton<HubSessions>();
        services.Configure<HubOptions>(o => o.AddFilter<SessionHubFilter>());
        services.AddHostedService<SessionWatchdog>();
        return services;
    }
}
