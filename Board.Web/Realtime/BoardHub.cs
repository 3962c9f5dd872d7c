using Board.Web.Auth;
using Board.Web.Hosting;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Realtime;

/// <summary>Clients watch boards here; every change arrives through HTTP and is pushed by <see cref="TrailBroadcaster"/>.</summary>
[Authorize]
public sealed class BoardHub(
    BoardDb db, PresenceTracker presence, PresenceBroadcaster presenceBroadcaster, IPresenceStore store, IOptions<RealtimeSettings> settings,
    ILogger<BoardHub> log) : Hub<IBoardClient>
{
    /// <summary>Marks a connection counted in the shared count (<see cref="IPresenceStore.TryHoldConnectionAsync"/>), to be given back.</summary>
    private const string HeldBy = "held-by";

    public const string Path = AuthSetup.HubPath + "/board";

    public static string Group(Guid boardId) => $"board:{boardId:N}";

    /// <summary>Every connection of one member: what concerns them personally reaches them on any page.</summary>
    public static string MemberGroup(Guid memberId) => $"member:{memberId:N}";

    /// <summary>Every committed entry, with or without a board: what the Trail page shows live.</summary>
    public const string TrailGroup = "trail";

    public override async Task OnConnectedAsync()
    {
        var member = CurrentMember.ReadId(Context.User!) is { } id ? await CurrentMember.LoadAsync(db, id, Context.ConnectionAborted) : null;
        if (member is not { IsActive: true })
        {
            Context.Abort();
            return;
        }
        // Each connection costs an instance memory and a file; one member's tabs and devices are plenty at the cap. It is
        // counted on this instance, and with Redis over all instances together (OnDisconnectedAsync gives both back).
        var cap = settings.Value.ConnectionsPerMember;
        if (!presence.TryConnect(Context.ConnectionId, member.Id, member.Name, cap))
        {
            Context.Abort();
            return;
        }
        switch (await store.TryHoldConnectionAsync(member.Id, cap, Context.ConnectionAborted))
        {
            case false:
                Context.Abort();
                return;
            case true:
                Context.Items[HeldBy] = member.Id;
                break;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, MemberGroup(member.Id));
        await base.OnConnectedAsync();
    }

    public async Task Watch(Guid boardId)
    {
        if (!await db.Boards.AnyAsync(b => b.Id == boardId, Context.ConnectionAborted))
            throw new HubException("not-found: no such board");
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(boardId));
        // The watcher gets the list at once; everyone hears of a member arriving with the board's next presence flush.
        // A member's further connection changes no one's list but its own.
        if (presence.Watch(Context.ConnectionId, boardId)) presenceBroadcaster.Changed(boardId);
        await Clients.Caller.presence(await presenceBroadcaster.OnAsync(boardId, Context.ConnectionAborted));
    }

    public async Task Unwatch(Guid boardId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(boardId));
        if (presence.Unwatch(Context.ConnectionId, boardId)) presenceBroadcaster.Changed(boardId);
    }

    /// <summary>The whole trail is open to every member, so any signed-in member may follow all of it.</summary>
    public async Task WatchTrail()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, TrailGroup);
        presence.WatchTrail(Context.ConnectionId);
    }

    public async Task UnwatchTrail()
    {
        presence.UnwatchTrail(Context.ConnectionId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, TrailGroup);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var boardId in presence.Disconnect(Context.ConnectionId)) presenceBroadcaster.Changed(boardId);
        if (Context.Items.TryGetValue(HeldBy, out var held) && held is Guid memberId)
        {
            try
            {
                await store.ReleaseConnectionAsync(memberId, CancellationToken.None);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
            {
                // The store rewrites its count with its next heartbeat once Redis answers: the place comes back then.
                log.LogWarning(ex, "A closed hub connection could not be given back to the shared count");
            }
        }
        await base.OnDisconnectedAsync(exception);
    }
}
