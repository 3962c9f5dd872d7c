using System.Collections.Concurrent;
using Board.Web.Persistence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Auth;

/// <summary>
/// The hub connections open on this instance, by member and by the security stamp each was opened with, so that the
/// watchdog can check them member by member without copying them: its round costs one lookup per connected member and
/// touches a connection only to close it.
/// </summary>
public sealed class HubSessions
{
    private readonly ConcurrentDictionary<Guid, MemberConnections> _members = new();
    private readonly ConcurrentDictionary<string, Guid> _memberOf = new();

    /// <summary>One member's connections, grouped by stamp (nearly always one), each group by connection id.</summary>
    private sealed class MemberConnections
    {
        public readonly Dictionary<string, Dictionary<string, HubCallerContext>> ByStamp = new(StringComparer.Ordinal);
        public bool Removed;
    }

    /// <summary>How many connections are open.</summary>
    public int Count => _memberOf.Count;

    public void Add(HubCallerContext connection, Guid memberId, string stamp)
    {
        while (true)
        {
            var member = _members.GetOrAdd(memberId, _ => new MemberConnections());
            lock (member)
            {
                if (member.Removed) continue; // emptied and dropped meanwhile: take the fresh one
                if (!member.ByStamp.TryGetValue(stamp, out var connections)) member.ByStamp[stamp] = connections = new(StringComparer.Ordinal);
                connections[connection.ConnectionId] = connection;
                _memberOf[connection.ConnectionId] = memberId;
                return;
            }
        }
    }

    public void Remove(string connectionId)
    {
        if (!_memberOf.TryRemove(connectionId, out var memberId) || !_members.TryGetValue(memberId, out var member)) return;
        lock (member)
        {
            foreach (var (stamp, connections) in member.ByStamp)
                if (connections.Remove(connectionId) && connections.Count == 0)
                {
                    member.ByStamp.Remove(stamp);
                    break;
                }
            if (member.ByStamp.Count > 0) return;
            member.Removed = true;
            _members.TryRemove(new KeyValuePair<Guid, MemberConnections>(memberId, member));
        }
    }

    /// <summary>The connected members, walked in place (ConcurrentDictionary's enumerator takes no snapshot, unlike its Keys).</summary>
    internal IEnumerable<Guid> Members => _members.Select(m => m.Key);

    /// <summary>
    /// Closes the connections of <paramref name="memberId"/> that were not opened with <paramref name="current"/> (null: the
    /// member is gone or inactive, so all of them). Returns how many.
    /// </summary>
    public int CloseUnless(Guid memberId, string? current)
    {
        if (!_members.TryGetValue(memberId, out var member)) return 0;
        List<HubCallerContext>? stale = null;
        lock (member)
        {
            foreach (var (stamp, connections) in member.ByStamp)
                if (stamp != current) (stale ??= []).AddRange(connections.Values);
        }
        if (stale is null) return 0;
        foreach (var connection in stale)
        {
            connection.Abort();
            Remove(connection.ConnectionId);
        }
        return stale.Count;
    }

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

    /// <summary>Members asked about per query: bounds the query's parameter and the buffer, whatever the number of connections.</summary>
    public const int Chunk = 500;

    // Reused round after round: the watchdog runs one round at a time.
    private readonly List<Guid> _ids = new(Chunk);
    private readonly Dictionary<Guid, string?> _current = new(Chunk);

    /// <summary>
    /// One round: the connected members' stamps, <see cref="Chunk"/> members per query, compared with the stamps their
    /// connections were opened with. Nothing in it is sized by the connection count: the members are walked in place
    /// (no snapshot of the connections), the id buffer is reused, and a connection is touched only to be closed.
    /// </summary>
    public async Task<int> CloseStaleAsync(CancellationToken ct)
    {
        var closed = 0;
        using var members = sessions.Members.GetEnumerator();
        var more = members.MoveNext();
        while (more)
        {
            _ids.Clear();
            do _ids.Add(members.Current);
            while ((more = members.MoveNext()) && _ids.Count < Chunk);
            _current.Clear();
            using (var scope = scopes.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
                await foreach (var u in db.Users.AsNoTracking().Where(u => _ids.Contains(u.Id) && u.IsActive)
                    .Select(u => new { u.Id, u.SecurityStamp }).AsAsyncEnumerable().WithCancellation(ct))
                    _current[u.Id] = u.SecurityStamp;
            }
            foreach (var id in _ids) closed += sessions.CloseUnless(id, _current.GetValueOrDefault(id));
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
