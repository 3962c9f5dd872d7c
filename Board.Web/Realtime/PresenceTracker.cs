using System.Collections.Concurrent;
using Board.Web.Proposals;

namespace Board.Web.Realtime;

/// <summary>Who watches which board, per connection, on this instance.</summary>
public sealed class PresenceTracker
{
    private readonly ConcurrentDictionary<string, Watcher> _connections = new();

    private sealed record Watcher(Guid MemberId, string Name, HashSet<Guid> Boards);

    public void Connect(string connectionId, Guid memberId, string name) =>
        _connections[connectionId] = new Watcher(memberId, name, []);

    public bool Watch(string connectionId, Guid boardId)
    {
        if (!_connections.TryGetValue(connectionId, out var w)) return false;
        lock (w.Boards) return w.Boards.Add(boardId);
    }

    public bool Unwatch(string connectionId, Guid boardId)
    {
        if (!_connections.TryGetValue(connectionId, out var w)) return false;
        lock (w.Boards) return w.Boards.Remove(boardId);
    }

    /// <summary>Forgets the connection; returns the boards it watched.</summary>
    public IReadOnlyList<Guid> Disconnect(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var w)) return [];
        lock (w.Boards) return [.. w.Boards];
    }

    public bool IsWatching(string connectionId, Guid boardId) =>
        _connections.TryGetValue(connectionId, out var w) && Contains(w, boardId);

    public PresenceDto On(Guid boardId) => new(boardId,
        [.. _connections.Values.Where(w => Contains(w, boardId))
            .GroupBy(w => w.MemberId).Select(g => new PersonDto(g.Key, g.First().Name)).OrderBy(p => p.Name, StringComparer.CurrentCulture)]);

    private static bool Contains(Watcher w, Guid boardId)
    {
        lock (w.Boards) return w.Boards.Contains(boardId);
    }
}
