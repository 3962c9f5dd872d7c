using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Web.Demo;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Board.Tests.Realtime;

/// <summary>
/// kill -9 of one of two instances while approvals stream in through both: nothing answered 200 is lost, the
/// survivor keeps serving, and the killed instance's watchers carry on from the survivor with no gap and no duplicate.
/// </summary>
[Collection(BoardProcess.Collection)]
[Trait("Kind", "RealProcess")]
public sealed class KillTests
{
    private const int Proposals = 300;
    private const int Approvers = 5;

    [Fact]
    public async Task KillNineOfOneInstance_LosesNoAcknowledgedApproval_AndItsWatchersCatchUpOnTheSurvivor()
    {
        await using var db = await ScratchPostgres.CreateAsync();
        var a = await BoardProcess.StartAsync(db.Settings);
        await using var b = await BoardProcess.StartAsync(db.Settings);
        try
        {
            var adminToken = await b.LoginAsync("admin@demo.board", DemoSeeder.Password);
            using var admin = b.Client(adminToken);
            var boardResponse = await admin.PostAsJsonAsync("/api/boards",
                new { name = "Kill", policy = new { approvalsRequired = 3, approverRole = "operations", expiresAfterDays = 0 } });
            var boardId = (await boardResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var approvers = new (Guid Id, HttpClient OnA, HttpClient OnB)[Approvers];
            for (var i = 0; i < Approvers; i++)
            {
                var email = $"kill-ops{i}@test.board";
                var created = await admin.PostAsJsonAsync("/api/members",
                    new { email, displayName = $"Kill ops {i}", password = "Kill!pass1", roles = new[] { "operations" } });
                var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                approvers[i] = (id, a.Client(await a.LoginAsync(email, "Kill!pass1")), b.Client(await b.LoginAsync(email, "Kill!pass1")));
            }
            var ids = await db.PostProposalsAsync(boardId, "staff1@demo.board", Proposals);

            var watcherToken = await a.LoginAsync("manager@demo.board", DemoSeeder.Password);
            var watchers = new List<Watcher>();
            for (var i = 0; i < 3; i++) watchers.Add(await Watcher.StartAsync(a, b, watcherToken, boardId));

            var acknowledged = new ConcurrentBag<(Guid Proposal, Guid Member)>();
            var answered = 0;
            var servedAfterKill = 0;
            var killed = false;
            await Parallel.ForAsync(0, Proposals * Approvers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
            {
                var (j, k) = (n / Approvers, n % Approvers);
                var onA = (j + k) % 2 == 0;
                try
                {
                    using var response = await (onA ? approvers[k].OnA : approvers[k].OnB).PostAsync($"/api/proposals/{ids[j]}/approvals", null, ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        acknowledged.Add((ids[j], approvers[k].Id));
                        if (Volatile.Read(ref killed) && !onA) Interlocked.Increment(ref servedAfterKill);
                    }
                    else Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
                catch (HttpRequestException) when (onA && Volatile.Read(ref killed))
                {
                    // A is gone: the request was never answered.
                }
                if (Interlocked.Increment(ref answered) == Proposals * Approvers / 3)
                {
                    // Said before the kill: a request to A that fails from here on was cut by it, not by a fault.
                    Volatile.Write(ref killed, true);
                    a.KillHard();
                }
            });
            Assert.True(killed);
            Assert.True(servedAfterKill > 100, $"the survivor answered only {servedAfterKill} approvals after the kill");

            // Every approval answered 200 is in the database and in the trail.
            var stored = new HashSet<(Guid, Guid)>();
            await using (var connection = new NpgsqlConnection(db.Database.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("""SELECT "ProposalId", "MemberId" FROM approvals""", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) stored.Add((reader.GetGuid(0), reader.GetGuid(1)));
            }
            var entries = await db.EntriesAsync();
            var trailed = entries.Where(e => e.Action == TrailActions.ApprovalAdded).Select(e => (e.ProposalId!.Value, e.ActorId!.Value)).ToHashSet();
            Assert.All(acknowledged, pair => Assert.Contains(pair, stored));
            Assert.All(acknowledged, pair => Assert.Contains(pair, trailed));
            Assert.True((await db.VerifyAsync()).Valid);
            Assert.All(entries.Where(e => e.Action == TrailActions.ProposalExecuted).GroupBy(e => e.ProposalId), g => Assert.Single(g));

            // The watchers moved to the survivor: each applied exactly the board's entries after its start, in order.
            var expected = entries.Where(e => e.BoardId == boardId).Select(e => e.Seq).ToList();
            foreach (var watcher in watchers)
            {
                await watcher.WaitForAsync(expected[^1], TimeSpan.FromSeconds(30));
                Assert.True(watcher.Moved, "a watcher of A did not move to B");
                Assert.Equal(expected.Where(s => s > watcher.StartSeq), watcher.Applied);
            }
            foreach (var watcher in watchers) await watcher.DisposeAsync();
            foreach (var (_, onA, onB) in approvers)
            {
                onA.Dispose();
                onB.Dispose();
            }
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    /// <summary>
    /// A client as the page's live.js behaves: applies pushed entries in seq order; on a gap or a reconnect it fetches
    /// <c>/api/boards/{id}/events?after=</c> its last seq. When its instance dies it reconnects to the survivor.
    /// </summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private readonly BoardProcess _survivor;
        private readonly string _token;
        private readonly Guid _boardId;
        private HubConnection _connection = null!;
        private long _last;

        private Watcher(BoardProcess survivor, string token, Guid boardId) => (_survivor, _token, _boardId) = (survivor, token, boardId);

        public List<long> Applied { get; } = [];
        public long StartSeq { get; private set; }
        public bool Moved { get; private set; }

        public static async Task<Watcher> StartAsync(BoardProcess first, BoardProcess survivor, string token, Guid boardId)
        {
            var watcher = new Watcher(survivor, token, boardId);
            // The head first, then the hub: a commit pushed while it connects finds the watcher's place already set.
            // (Connected first, it was at 0 until the head came back, and a commit in between — the instances announce
            // the proposals this test wrote straight into the database when they poll — made it fetch the board's
            // whole history.) A commit between the head and the hub is fetched on the next gap, or by WaitForAsync.
            watcher.StartSeq = watcher._last = await watcher.HeadAsync(first);
            await watcher.ConnectAsync(first);
            return watcher;
        }

        private async Task ConnectAsync(BoardProcess instance)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(instance.Url, "/hubs/board"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(_token))
                .Build();
            // The entry shape is the contract's; both the per-entry and the per-commit message are understood.
            connection.On<JsonElement>("event", e => ReceiveAsync([e]));
            connection.On<JsonElement>("commit", c => ReceiveAsync([.. c.GetProperty("entries").EnumerateArray()]));
            connection.Closed += async _ =>
            {
                if (instance == _survivor) return;
                Moved = true;
                await ConnectAsync(_survivor);
                await CatchUpAsync();
            };
            await connection.StartAsync();
            await connection.InvokeAsync("Watch", _boardId);
            _connection = connection;
        }

        private async Task<long> HeadAsync(BoardProcess instance)
        {
            using var client = instance.Client(_token);
            return (await client.GetFromJsonAsync<JsonElement>("/api/audit/head")).GetProperty("seq").GetInt64();
        }

        private async Task ReceiveAsync(IReadOnlyList<JsonElement> entries)
        {
            await _lock.WaitAsync();
            try
            {
                foreach (var e in entries)
                {
                    var seq = e.GetProperty("seq").GetInt64();
                    if (seq <= _last) continue;
                    if (seq > _last + 1 && !await FetchAsync()) return;
                    if (seq == _last + 1) Apply(seq);
                }
            }
            finally
            {
                _lock.Release();
            }
        }

        private async Task CatchUpAsync()
        {
            await _lock.WaitAsync();
            try
            {
                await FetchAsync();
            }
            finally
            {
                _lock.Release();
            }
        }

        /// <summary>The board's entries after the last one applied (board entries are not contiguous in the global seq).</summary>
        private async Task<bool> FetchAsync()
        {
            using var client = _survivor.Client(_token);
            while (true)
            {
                var page = await client.GetFromJsonAsync<JsonElement>($"/api/boards/{_boardId}/events?after={_last}&limit=500");
                var seqs = page.EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();
                foreach (var seq in seqs) Apply(seq);
                if (seqs.Count < 500) return true;
            }
        }

        private void Apply(long seq)
        {
            Applied.Add(seq);
            _last = seq;
        }

        public async Task WaitForAsync(long seq, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Volatile.Read(ref _last) < seq && DateTime.UtcNow < deadline) await Task.Delay(100);
            if (_last < seq) await CatchUpAsync();
        }

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
