using Board.Web.Auth;
using Board.Web.Hosting;
using StackExchange.Redis;

namespace Board.Web.Realtime;

/// <summary>Where a board's watchers are listed: this instance's own, or (with Redis) the union over all instances.</summary>
public interface IPresenceStore
{
    /// <summary>Whether other instances write here too (Redis); if not, this instance's tracker is the whole list.</summary>
    bool Shared { get; }

    /// <summary>Records who watches the board on this instance now, after a change.</summary>
    Task PublishAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct);

    /// <summary>Everyone watching the board on any live instance; <paramref name="here"/> is this instance's part, current.</summary>
    Task<IReadOnlyCollection<PersonDto>> ListAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct);

    /// <summary>Tells the others this instance is alive; returns the boards whose list changed because another instance vanished.</summary>
    Task<IReadOnlyCollection<Guid>> KeepAliveAsync(IReadOnlyCollection<Guid> boardsHere, CancellationToken ct);

    /// <summary>Takes this instance's watchers off every list (a clean stop; a killed instance expires instead).</summary>
    Task LeaveAsync(CancellationToken ct);
}

public sealed class LocalPresenceStore : IPresenceStore
{
    public bool Shared => false;

    public Task PublishAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct) => Task.CompletedTask;

    public Task<IReadOnlyCollection<PersonDto>> ListAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct) => Task.FromResult(here);

    public Task<IReadOnlyCollection<Guid>> KeepAliveAsync(IReadOnlyCollection<Guid> boardsHere, CancellationToken ct) => Task.FromResult<IReadOnlyCollection<Guid>>([]);

    public Task LeaveAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Presence in Redis. Each board is a hash of <c>instance:member → name</c>, written by each instance for its own
/// watchers; a sorted set holds each instance's last heartbeat. Readers count only instances heard from within
/// <see cref="Expiry"/>, so a killed instance's watchers drop off the list by then; the first live instance to notice
/// claims the dead one (ZREM), deletes its fields and has the boards it was on told.
/// </summary>
public sealed class RedisPresenceStore(RedisConnection redis, TimeProvider clock) : IPresenceStore
{
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(15);

    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly Dictionary<Guid, HashSet<Guid>> _written = [];
    private readonly SemaphoreSlim _writing = new(1, 1);

    private RedisKey BoardKey(Guid boardId) => $"{redis.Prefix}:presence:{boardId:N}";
    private RedisKey AliveKey => $"{redis.Prefix}:presence:alive";
    private RedisKey BoardsOf(string instance) => $"{redis.Prefix}:presence:boards:{instance}";

    private async Task<IDatabase> DbAsync() => (await redis.Multiplexer.Value).GetDatabase();

    private double Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task PublishAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct)
    {
        var db = await DbAsync();
        await _writing.WaitAsync(ct);
        try
        {
            var before = _written.GetValueOrDefault(boardId) ?? [];
            var now = here.Where(p => p.Id is not null).ToDictionary(p => p.Id!.Value, p => p.Name);
            var gone = before.Where(id => !now.ContainsKey(id)).Select(id => (RedisValue)Field(_instance, id)).ToArray();
            var added = now.Where(p => !before.Contains(p.Key)).Select(p => new HashEntry(Field(_instance, p.Key), p.Value)).ToArray();
            var batch = db.CreateBatch();
            var writes = new List<Task> { batch.SortedSetAddAsync(AliveKey, _instance, Now), batch.SetAddAsync(BoardsOf(_instance), boardId.ToString("N")) };
            if (gone.Length > 0) writes.Add(batch.HashDeleteAsync(BoardKey(boardId), gone));
            if (added.Length > 0) writes.Add(batch.HashSetAsync(BoardKey(boardId), added));
            batch.Execute();
            await Task.WhenAll(writes);
            if (now.Count == 0) _written.Remove(boardId);
            else _written[boardId] = [.. now.Keys];
        }
        finally
        {
            _writing.Release();
        }
    }

    public async Task<IReadOnlyCollection<PersonDto>> ListAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct)
    {
        var db = await DbAsync();
        var alive = (await db.SortedSetRangeByScoreAsync(AliveKey, Now - Expiry.TotalMilliseconds)).Select(v => v.ToString()).ToHashSet();
        var members = here.Where(p => p.Id is not null).ToDictionary(p => p.Id!.Value);
        foreach (var entry in await db.HashGetAllAsync(BoardKey(boardId)))
        {
            var field = entry.Name.ToString();
            var colon = field.IndexOf(':');
            // This instance's own part is the tracker's, current to the moment; Redis may lag it by one flush.
            if (colon < 0 || field[..colon] == _instance || !alive.Contains(field[..colon])) continue;
            if (Guid.TryParse(field[(colon + 1)..], out var id)) members.TryAdd(id, new PersonDto(id, entry.Value.ToString()));
        }
        return members.Values;
    }

    public async Task<IReadOnlyCollection<Guid>> KeepAliveAsync(IReadOnlyCollection<Guid> boardsHere, CancellationToken ct)
    {
        var db = await DbAsync();
        var changed = new HashSet<Guid>();
        // Added rather than updated: another instance took this one for dead (a long pause) and removed its watchers.
        if (await db.SortedSetAddAsync(AliveKey, _instance, Now))
        {
            await _writing.WaitAsync(ct);
            try { _written.Clear(); } finally { _writing.Release(); }
            changed.UnionWith(boardsHere);
        }
        foreach (var dead in await db.SortedSetRangeByScoreAsync(AliveKey, double.NegativeInfinity, Now - Expiry.TotalMilliseconds))
        {
            if (!await db.SortedSetRemoveAsync(AliveKey, dead)) continue; // another instance claimed it
            var prefix = dead + ":";
            foreach (var board in await db.SetMembersAsync(BoardsOf(dead!)))
            {
                if (!Guid.TryParse(board.ToString(), out var boardId)) continue;
                var fields = (await db.HashKeysAsync(BoardKey(boardId))).Where(f => f.ToString().StartsWith(prefix, StringComparison.Ordinal)).ToArray();
                if (fields.Length > 0) await db.HashDeleteAsync(BoardKey(boardId), fields);
                changed.Add(boardId);
            }
            await db.KeyDeleteAsync(BoardsOf(dead!));
        }
        return changed;
    }

    public async Task LeaveAsync(CancellationToken ct)
    {
        var db = await DbAsync();
        await _writing.WaitAsync(ct);
        try
        {
            foreach (var (boardId, members) in _written)
                await db.HashDeleteAsync(BoardKey(boardId), [.. members.Select(id => (RedisValue)Field(_instance, id))]);
            _written.Clear();
            await db.KeyDeleteAsync(BoardsOf(_instance));
            await db.SortedSetRemoveAsync(AliveKey, _instance);
        }
        finally
        {
            _writing.Release();
        }
    }

    public bool Shared => true;

    private static string Field(string instance, Guid memberId) => $"{instance}:{memberId:N}";
}
