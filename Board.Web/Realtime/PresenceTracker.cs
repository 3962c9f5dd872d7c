using System.Collections.Concurrent;
using Board.Web.Proposals;

namespace Board.Web.Realtime;

/// <summary>
/// Who watches which board, per connection, on this instance. It also counts each member's connections per board,
/// so that it can tell when a board's list of members actually changes: a member's second tab changes nothing
/// anyone sees, and announcing it to every watcher would cost a message per watcher per connect (N² as a board fills).
/// </summary>
public sealed class PresenceTracker
{
    private readonly ConcurrentDictionary<string, Watcher> _connections = new();
    private readonly Dictionary<Guid, Dictionary<Guid, Watching>> _boards = [];

    private sealed record Watcher(Guid MemberId, string Name, HashSet<Guid> Boards);

    private sealed class Watching(string name)
    {
        public string Name { get; } = name;
        public int Connections { get; set; }
    }

    public void Connect(string connectionId, Guid memberId, string name) =>
        _connections[connectionId] = new Watcher(memberId, name, []);

    /// <summary>Records that the connection watches the board; true when the board's list of members changed.</summary>
    public bool Watch(string connectionId, Guid boardId)
    {
        if (!_connections.TryGetValue(connectionId, out var w)) return false;
        lock (_boards)
        {
            if (!w.Boards.Add(boardId)) return false;
            if (!_boards.TryGetValue(boardId, out var members)) _boards[boardId] = members = [];
            if (!members.TryGetValue(w.MemberId, out var watching)) members[w.MemberId] = watching = new Watching(w.Name);
            return ++watching.Connections == 1;
        }
    }

    /// <summary>Records that the connection stopped watching; true when the board's list of members changed.</summary>
    public bool Unwatch(string connectionId, Guid boardId)
    {
        if (!_connections.TryGetValue(connectionId, out var w)) return false;
        lock (_boards) return w.Boards.Remove(boardId) && Leave(w, boardId);
    }

    /// <summary>Forgets the connection; returns the boards whose list of members changed.</summary>
    public IReadOnlyList<Guid> Disconnect(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var w)) return [];
        lock (_boards) return [.. w.Boards.Where(boardId => Leave(w, boardId))];
    }

    public bool IsWatching(string connectionId, Guid boardId)
    {
        if (!_connections.TryGetValue(connectionId, out var w)) return false;
        lock (_boards) return w.Boards.Contains(boardId);
    }

    /// <summary>The members watching the board on this instance.</summary>
    public IReadOnlyCollection<PersonDto> MembersOn(Guid boardId)
    {
        lock (_boards)
            return _boards.TryGetValue(boardId, out var members) ? [.. members.Select(m => new PersonDto(m.Key, m.Value.Name))] : [];
    }

    /// <summary>The boards watched on this instance.</summary>
    public IReadOnlyCollection<Guid> Boards()
    {
        lock (_boards) return [.. _boards.Keys];
    }

    /// <summary>Drops one of the member's connections from the board; true when it was the last. Called under the lock.</summary>
    private bool Leave(Watcher w, Guid boardId)
    {
        if (!_boards.TryGetValue(boardId, out var members) || !members.TryGetValue(w.MemberId, out var watching)) return false;
        if (--watching.Connections > 0) return false;
        members.Remove(w.MemberId);
        if (members.Count == 0) _boards.Remove(boardId);
        return true;
    }
}
