using System.Collections.Concurrent;
using System.Globalization;
using Board.Web.Auth;

namespace Board.Web.Realtime;

/// <summary>
/// Who watches which board, per connection, on this instance. It also counts each member's connections per board,
/// so that it can tell when a board's list of members actually changes: a member's second tab changes nothing
/// anyone sees, and announcing it to every watcher would cost a message per watcher per connect (N² as a board fills).
/// Each board's members are also kept in name order as they come and go, so that the first names and the count
/// (<see cref="Listed"/>) cost the same at ten watchers as at ten thousand: every arrival is told the list, and
/// sorting the whole board for each of N arrivals would be N² log N.
/// </summary>
public sealed class PresenceTracker
{
    private readonly ConcurrentDictionary<string, Watcher> _connections = new();
    private readonly Dictionary<Guid, BoardWatchers> _boards = [];

    /// <summary>By name, then id; the culture is fixed when the tracker is made, as a sorted set needs.</summary>
    private static readonly IComparer<PersonDto> ByName = new NameOrder(StringComparer.Create(CultureInfo.CurrentCulture, ignoreCase: false));

    private sealed record Watcher(Guid MemberId, string Name, HashSet<Guid> Boards);

    private sealed class Watching(PersonDto person)
    {
        public PersonDto Person { get; } = person;
        public int Connections { get; set; }
    }

    private sealed class BoardWatchers
    {
        public Dictionary<Guid, Watching> Members { get; } = [];
        public SortedSet<PersonDto> InOrder { get; } = new(ByName);
        public int Connections { get; set; }
    }

    private sealed class NameOrder(StringComparer names) : IComparer<PersonDto>
    {
        public int Compare(PersonDto? x, PersonDto? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var byName = names.Compare(x.Name, y.Name);
            return byName != 0 ? byName : Nullable.Compare(x.Id, y.Id);
        }
    }

    private readonly Dictionary<Guid, int> _perMember = [];

    public void Connect(string connectionId, Guid memberId, string name) => TryConnect(connectionId, memberId, name, int.MaxValue);

    /// <summary>Records the connection unless the member already holds <paramref name="max"/> on this instance.</summary>
    public bool TryConnect(string connectionId, Guid memberId, string name, int max)
    {
        lock (_perMember)
        {
            var held = _perMember.GetValueOrDefault(memberId);
            if (held >= max) return false;
            _perMember[memberId] = held + 1;
        }
        _connections[connectionId] = new Watcher(memberId, name, []);
        return true;
    }

    /// <summary>Records that the connection watches the board; true when the board's list of members changed.</summary>
    public bool Watch(string connectionId, Guid boardId)
    {
        if (!_connections.TryGetValue(connectionId, out var w)) return false;
        lock (_boards)
        {
            if (!w.Boards.Add(boardId)) return false;
            if (!_boards.TryGetValue(boardId, out var board)) _boards[boardId] = board = new BoardWatchers();
            board.Connections++;
            if (!board.Members.TryGetValue(w.MemberId, out var watching))
            {
                board.Members[w.MemberId] = watching = new Watching(new PersonDto(w.MemberId, w.Name));
                board.InOrder.Add(watching.Person);
            }
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
        _trail.TryRemove(connectionId, out _);
        if (!_connections.TryRemove(connectionId, out var w)) return [];
        lock (_perMember)
        {
            if (_perMember.TryGetValue(w.MemberId, out var held) && held > 1) _perMember[w.MemberId] = held - 1;
            else _perMember.Remove(w.MemberId);
        }
        lock (_boards) return [.. w.Boards.Where(boardId => Leave(w, boardId))];
    }

    private readonly ConcurrentDictionary<string, byte> _trail = new();

    /// <summary>Records that the connection follows the whole trail.</summary>
    public void WatchTrail(string connectionId)
    {
        if (_connections.ContainsKey(connectionId)) _trail.TryAdd(connectionId, 0);
    }

    public void UnwatchTrail(string connectionId) => _trail.TryRemove(connectionId, out _);

    /// <summary>The connections following the whole trail on this instance.</summary>
    public IReadOnlyList<string> TrailWatchers() => [.. _trail.Keys];

    /// <summary>This instance's connections by the boards they watch: one walk over the connections.</summary>
    public IReadOnlyDictionary<Guid, List<string>> WatchersByBoard()
    {
        var byBoard = new Dictionary<Guid, List<string>>();
        lock (_boards)
        {
            foreach (var (connectionId, w) in _connections)
                foreach (var boardId in w.Boards)
                {
                    if (!byBoard.TryGetValue(boardId, out var ids)) byBoard[boardId] = ids = [];
                    ids.Add(connectionId);
                }
        }
        return byBoard;
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
            return _boards.TryGetValue(boardId, out var board) ? [.. board.Members.Values.Select(m => m.Person)] : [];
    }

    /// <summary>
    /// The first <paramref name="take"/> members watching the board on this instance, by name (then id), and how many
    /// there are in all: a walk of <paramref name="take"/> steps, whatever the number of watchers.
    /// </summary>
    public (IReadOnlyList<PersonDto> First, int Count) Listed(Guid boardId, int take)
    {
        lock (_boards)
            return _boards.TryGetValue(boardId, out var board) ? ([.. board.InOrder.Take(take)], board.Members.Count) : ([], 0);
    }

    /// <summary>The connections watching the board on this instance (a member's tabs each count).</summary>
    public int ConnectionsOn(Guid boardId)
    {
        lock (_boards) return _boards.TryGetValue(boardId, out var board) ? board.Connections : 0;
    }

    /// <summary>The order <see cref="Listed"/> uses, for lists put together elsewhere (the union over instances).</summary>
    public static IEnumerable<PersonDto> InNameOrder(IEnumerable<PersonDto> people) => people.Order(ByName);

    /// <summary>The boards watched on this instance.</summary>
    public IReadOnlyCollection<Guid> Boards()
    {
        lock (_boards) return [.. _boards.Keys];
    }

    /// <summary>Drops one of the member's connections from the board; true when it was the last. Called under the lock.</summary>
    private bool Leave(Watcher w, Guid boardId)
    {
        if (!_boards.TryGetValue(boardId, out var board) || !board.Members.TryGetValue(w.MemberId, out var watching)) return false;
        board.Connections--;
        if (--watching.Connections > 0) return false;
        board.Members.Remove(w.MemberId);
        board.InOrder.Remove(watching.Person);
        if (board.Members.Count == 0) _boards.Remove(boardId);
        return true;
    }
}
