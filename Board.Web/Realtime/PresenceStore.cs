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

    /// <summary>
    /// Counts one more hub connection of the member, over every live instance, unless the member holds
    /// <paramref name="max"/> already: true if counted, false if refused, null if the count could not be asked (Redis
    /// down): then this instance's own cap (<see cref="PresenceTracker.TryConnect"/>) stands alone.
    /// </summary>
    Task<bool?> TryHoldConnectionAsync(Guid memberId, int max, CancellationToken ct);

    /// <summary>Gives back a connection that <see cref="TryHoldConnectionAsync"/> counted.</summary>
    Task ReleaseConnectionAsync(Guid memberId, CancellationToken ct);
}

public sealed class LocalPresenceStore : IPresenceStore
{
    public bool Shared => false;

    public Task PublishAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct) => Task.CompletedTask;

    public Task<IReadOnlyCollection<PersonDto>> ListAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct) => Task.FromResult(here);

    public Task<IReadOnlyCollection<Guid>> KeepAliveAsync(IReadOnlyCollection<Guid> boardsHere, CancellationToken ct) => Task.FromResult<IReadOnlyCollection<Guid>>([]);

    public Task LeaveAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>One instance: the tracker's cap is the whole count.</summary>
    public Task<bool?> TryHoldConnectionAsync(Guid memberId, int max, CancellationToken ct) => Task.FromResult<bool?>(true);

    public Task ReleaseConnectionAsync(Guid memberId, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Presence in Redis. Each board is a hash of <c>instance:member → name</c>, written by each instance for its own
/// watchers; a sorted set holds each instance's last heartbeat. Readers count only instances heard from within
/// <see cref="Expiry"/>, so a killed instance's watchers drop off the list by then; the first live instance to notice
/// claims the dead one (ZREM), deletes its fields and has the boards it was on told.
/// Hub connections are counted the same way: a hash per member of <c>instance → connections</c>, summed over live
/// instances in one script (<see cref="HoldScript"/>), so a member's cap holds over all instances together and a killed
/// instance's connections stop counting when its heartbeat expires.
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
    private RedisKey ConnectionsOf(Guid memberId) => $"{redis.Prefix}:presence:connections:{memberId:N}";
    private RedisKey MembersOf(string instance) => $"{redis.Prefix}:presence:members:{instance}";

    /// <summary>What this instance has counted in Redis, per member: written back if another instance took it for dead.</summary>
    private readonly Dictionary<Guid, int> _held = [];

    /// <summary>A hold or release met a Redis fault, so Redis may count otherwise than <see cref="_held"/>: the next heartbeat rewrites it.</summary>
    private volatile bool _recount;

    /// <summary>
    /// Sums the member's connections on this instance and on every instance heard from since ARGV[2]; below the cap
    /// ARGV[3], counts one more for this instance. One script, so two instances cannot both take the last place.
    /// </summary>
    private const string HoldScript = """
        local total = 0
        local fields = redis.call('HGETALL', KEYS[1])
        for i = 1, #fields, 2 do
          local instance = fields[i]
          local live = instance == ARGV[1]
          if not live then
            local beat = redis.call('ZSCORE', KEYS[2], instance)
            live = beat and tonumber(beat) >= tonumber(ARGV[2])
          end
          if live then total = total + tonumber(fields[i + 1]) end
        end
        if total >= tonumber(ARGV[3]) then return 0 end
        redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
        redis.call('SADD', KEYS[3], ARGV[4])
        return 1
        """;

    private const string ReleaseScript = """
        local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
        if left <= 0 then
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('SREM', KEYS[2], ARGV[2])
        end
        return left
        """;

    private bool Connected => redis.Multiplexer.Value is { IsCompletedSuccessfully: true } connecting && connecting.Result.IsConnected;

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
            _recount = true;
        }
        if (_recount) await RecountAsync(db);
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
            foreach (var member in await db.SetMembersAsync(MembersOf(dead!)))
                if (Guid.TryParse(member.ToString(), out var memberId)) await db.HashDeleteAsync(ConnectionsOf(memberId), dead);
            await db.KeyDeleteAsync(MembersOf(dead!));
        }
        return changed;
    }

    /// <summary>
    /// Writes this instance's connection counts to Redis as they are here: after another instance took it for dead and
    /// deleted them, or after a hold or release whose answer a fault lost.
    /// </summary>
    private async Task RecountAsync(IDatabase db)
    {
        _recount = false;
        try
        {
            Dictionary<Guid, int> held;
            lock (_held) held = new(_held);
            foreach (var member in await db.SetMembersAsync(MembersOf(_instance)))
                if (Guid.TryParse(member.ToString(), out var memberId) && !held.ContainsKey(memberId))
                {
                    await db.HashDeleteAsync(ConnectionsOf(memberId), _instance);
                    await db.SetRemoveAsync(MembersOf(_instance), member);
                }
            foreach (var (memberId, count) in held)
            {
                await db.SetAddAsync(MembersOf(_instance), memberId.ToString("N"));
                await db.HashSetAsync(ConnectionsOf(memberId), _instance, count);
            }
        }
        catch
        {
            _recount = true;
            throw;
        }
    }

    public async Task<bool?> TryHoldConnectionAsync(Guid memberId, int max, CancellationToken ct)
    {
        if (!Connected) return null;
        try
        {
            var db = await DbAsync();
            var held = (int)await db.ScriptEvaluateAsync(HoldScript,
                [ConnectionsOf(memberId), AliveKey, MembersOf(_instance)],
                [_instance, Now - Expiry.TotalMilliseconds, max, memberId.ToString("N")]) == 1;
            if (held) lock (_held) _held[memberId] = _held.GetValueOrDefault(memberId) + 1;
            return held;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            _recount = true; // the script may have run
            return null;
        }
    }

    public async Task ReleaseConnectionAsync(Guid memberId, CancellationToken ct)
    {
        lock (_held)
        {
            var left = _held.GetValueOrDefault(memberId) - 1;
            if (left > 0) _held[memberId] = left;
            else _held.Remove(memberId);
        }
        try
        {
            var db = await DbAsync();
            await db.ScriptEvaluateAsync(ReleaseScript, [ConnectionsOf(memberId), MembersOf(_instance)], [_instance, memberId.ToString("N")]);
        }
        catch
        {
            _recount = true; // the place comes back with the next heartbeat
            throw;
        }
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
            KeyValuePair<Guid, int>[] held;
            lock (_held) held = [.. _held];
            foreach (var (memberId, _) in held) await db.HashDeleteAsync(ConnectionsOf(memberId), _instance);
            await db.KeyDeleteAsync(MembersOf(_instance));
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
