using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests;

/// <summary>
/// A hub client that keeps one board whole the way wwwroot/live.js does: each entry applied once; a commit whose
/// <c>prev</c> it does not hold, or a <c>head</c> past what it holds, makes it fetch <c>/events?after=</c> after a
/// moment's grace (two instances' messages may cross); so does a reconnect. When its instance dies it moves to
/// <c>fallback</c>.
/// </summary>
public sealed class RepairingWatcher : IAsyncDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly HashSet<long> _applied = [];
    private readonly List<(long Prev, long Last)> _pending = [];
    private readonly BoardProcess _fallback;
    private readonly string _token;
    private readonly Guid _boardId;
    private BoardProcess _instance;
    private HubConnection _connection = null!;
    private long _held;
    private long _head;
    private bool _repairing;
    private bool _disposed;

    private RepairingWatcher(BoardProcess instance, BoardProcess fallback, string token, Guid boardId) =>
        (_instance, _fallback, _token, _boardId) = (instance, fallback, token, boardId);

    public long StartSeq { get; private set; }
    public bool Moved { get; private set; }

    /// <summary>Entries that reached this watcher through a repair (a fetch), not through a pushed commit.</summary>
    public int Repaired { get; private set; }

    public IReadOnlyCollection<long> Applied
    {
        get { lock (_applied) return [.. _applied.Order()]; }
    }

    public static async Task<RepairingWatcher> StartAsync(BoardProcess instance, BoardProcess fallback, string token, Guid boardId)
    {
        var watcher = new RepairingWatcher(instance, fallback, token, boardId);
        await watcher.ConnectAsync(instance);
        using var client = instance.Client(token);
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/audit?boardId={boardId}&limit=1");
        var items = page.GetProperty("items");
        watcher.StartSeq = watcher._held = items.GetArrayLength() == 0 ? 0 : items[0].GetProperty("seq").GetInt64();
        return watcher;
    }

    private async Task ConnectAsync(BoardProcess instance)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(instance.Url, "/hubs/board"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(_token))
            .Build();
        connection.On<JsonElement>("commit", OnCommitAsync);
        connection.On<JsonElement>("head", OnHeadAsync);
        connection.Closed += async _ =>
        {
            if (_disposed || instance == _fallback) return;
            Moved = true;
            _instance = _fallback;
            await ConnectAsync(_fallback);
            await RepairAsync(force: true);
        };
        await connection.StartAsync();
        await connection.InvokeAsync("Watch", _boardId);
        _connection = connection;
    }

    private async Task OnCommitAsync(JsonElement commit)
    {
        if (commit.GetProperty("boardId").GetGuid() != _boardId) return;
        var seqs = commit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();
        await _lock.WaitAsync();
        try
        {
            Apply(seqs);
            _pending.Add((commit.GetProperty("prev").GetInt64(), seqs[^1]));
            Settle();
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task OnHeadAsync(JsonElement head)
    {
        if (head.GetProperty("boardId").ValueKind == JsonValueKind.Null || head.GetProperty("boardId").GetGuid() != _boardId) return;
        await _lock.WaitAsync();
        try
        {
            _head = Math.Max(_head, head.GetProperty("seq").GetInt64());
            Settle();
        }
        finally
        {
            _lock.Release();
        }
    }

    private void Apply(IEnumerable<long> seqs)
    {
        lock (_applied) foreach (var seq in seqs) if (seq > StartSeq) _applied.Add(seq);
    }

    /// <summary>Moves what is held over every commit that continues it; a gap still open after the grace is fetched. Under the lock.</summary>
    private void Settle()
    {
        for (var moved = true; moved;)
        {
            moved = false;
            foreach (var (prev, last) in _pending)
                if (prev <= _held && last > _held) (_held, moved) = (last, true);
        }
        _pending.RemoveAll(p => p.Last <= _held);
        if ((_pending.Count > 0 || _head > _held) && !_repairing)
        {
            _repairing = true;
            _ = Task.Delay(Grace).ContinueWith(_ => RepairAsync(force: false), TaskScheduler.Default).Unwrap();
        }
    }

    private async Task RepairAsync(bool force)
    {
        await _lock.WaitAsync();
        try
        {
            _repairing = false;
            if (!force && _pending.Count == 0 && _head <= _held) return;
            using var client = _instance.Client(_token);
            while (true)
            {
                var page = await client.GetFromJsonAsync<JsonElement>($"/api/boards/{_boardId}/events?after={_held}&limit=500");
                var seqs = page.EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();
                lock (_applied) Repaired += seqs.Count(s => s > StartSeq && !_applied.Contains(s));
                Apply(seqs);
                if (seqs.Count > 0) _held = Math.Max(_held, seqs[^1]);
                if (seqs.Count < 500) break;
            }
            _pending.RemoveAll(p => p.Last <= _held);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // The instance is gone or restarting: the next commit, head or reconnect tries again.
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Waits until this watcher holds <paramref name="expected"/> or the time is up; returns what it holds.</summary>
    public async Task<IReadOnlyCollection<long>> WaitForAsync(IReadOnlyCollection<long> expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !Applied.SequenceEqual(expected)) await Task.Delay(100);
        return Applied;
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _connection.DisposeAsync();
    }
}
