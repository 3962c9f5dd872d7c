using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Tests.Operations;
using Board.Web.Demo;
using Xunit.Abstractions;

namespace Board.Tests.Realtime;

/// <summary>
/// Two real processes on one PostgreSQL and a Redis of the test's own, approvals flowing through both on two boards,
/// watchers of one board on both instances that repair themselves as the page does (<see cref="RepairingWatcher"/>).
/// Whatever loses a message — Redis down for seconds, an instance killed between commit and publish — every watcher
/// ends holding exactly the trail's entries for its board, with no reload and no later commit to reveal the gap.
/// </summary>
[Collection(BoardProcess.Collection)]
[Trait("Kind", "RealProcess")]
public sealed class InstanceConvergenceTests(ITestOutputHelper output)
{
    private const int ProposalsPerBoard = 300;
    private const int Approvers = 3;
    private static readonly TimeSpan RedisDown = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task RedisKilledForSixSecondsUnderLoad_ThenRestarted_EveryWatcherHoldsExactlyTheBoardsEntries()
    {
        RedisServer.RequireRedis();
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var setup = await Setup.StartAsync(redis, output);
        var clock = Stopwatch.StartNew();
        var outage = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await redis.StopAsync();
            output.WriteLine($"Redis stopped at {clock.Elapsed.TotalSeconds:0.0} s");
            var down = Task.Delay(RedisDown);
            await setup.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(5));
            await down;
            await redis.StartAsync();
            output.WriteLine($"Redis started at {clock.Elapsed.TotalSeconds:0.0} s");
        });
        var results = await setup.ApproveAsync(until: () => outage.IsCompleted && clock.Elapsed > RedisDown + TimeSpan.FromSeconds(5));
        await outage;
        output.WriteLine($"load ended at {clock.Elapsed.TotalSeconds:0.0} s");
        await setup.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(results, r => (int)r >= 500);
        await setup.AssertEveryWatcherHoldsTheBoardAsync(expectRepair: true);
    }

    [Fact]
    public async Task AnInstanceKilledBetweenCommitAndPublish_LeavesNoWatcherShort()
    {
        RedisServer.RequireRedis();
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var setup = await Setup.StartAsync(redis, output);

        var clock = Stopwatch.StartNew();
        var kill = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            setup.KillA();
        });
        var results = await setup.ApproveAsync(until: () => kill.IsCompleted && clock.Elapsed > TimeSpan.FromSeconds(9));
        await kill;
        Assert.True(setup.A.HasExited);
        Assert.DoesNotContain(results, r => (int)r >= 500);
        // The last commit of the board is one no instance ever published: committed, then the process died. Only
        // the head can tell the watchers of it; no later commit will.
        await setup.Db.PostProposalsAsync(setup.Watched, "staff1@demo.board", 1);
        await setup.AssertEveryWatcherHoldsTheBoardAsync(expectRepair: true);
        Assert.All(setup.WatchersOnA, w => Assert.True(w.Moved, "a watcher of the killed instance did not move"));
    }

    private sealed class Setup : IAsyncDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly List<IDisposable> _clients = [];
        private (HttpClient OnA, HttpClient OnB)[] _approvers = [];
        private Guid[] _proposals = [];

        private Setup(ScratchPostgres db, BoardProcess a, BoardProcess b, ITestOutputHelper output) => (Db, A, B, _output) = (db, a, b, output);

        public ScratchPostgres Db { get; }
        public BoardProcess A { get; }
        public BoardProcess B { get; }
        public Guid Watched { get; private set; }
        public List<RepairingWatcher> WatchersOnA { get; } = [];
        private volatile bool _killing;

        /// <summary>kill -9 of A; said first, so that a request to A that fails from here on was cut by it, not by a fault.</summary>
        public void KillA()
        {
            _killing = true;
            A.KillHard();
        }

        public List<RepairingWatcher> WatchersOnB { get; } = [];

        public static async Task<Setup> StartAsync(RedisServer redis, ITestOutputHelper output)
        {
            var clock = Stopwatch.StartNew();
            var db = await ScratchPostgres.CreateAsync();
            var settings = new Dictionary<string, string>(db.Settings)
            {
                ["SignalR__Redis"] = $"{redis.Configuration},channelPrefix=c{Guid.NewGuid():N}",
                ["Realtime__HeadSeconds"] = "2",
            };
            var a = await BoardProcess.StartAsync(settings);
            var b = await BoardProcess.StartAsync(settings);
            var setup = new Setup(db, a, b, output);
            output.WriteLine($"two instances up in {clock.Elapsed.TotalSeconds:0.0} s");
            await setup.PrepareAsync();
            output.WriteLine($"prepared in {clock.Elapsed.TotalSeconds:0.0} s");
            return setup;
        }

        private async Task PrepareAsync()
        {
            var adminToken = await B.LoginAsync("admin@demo.board", DemoSeeder.Password);
            using var admin = B.Client(adminToken);
            var boards = new Guid[2];
            for (var i = 0; i < boards.Length; i++)
            {
                var created = await admin.PostAsJsonAsync("/api/boards",
                    new { name = $"Converge {i}", policy = new { approvalsRequired = Approvers, approverRole = "operations", expiresAfterDays = 0 } });
                boards[i] = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            }
            Watched = boards[0];
            _approvers = new (HttpClient, HttpClient)[Approvers];
            for (var i = 0; i < Approvers; i++)
            {
                var email = $"converge-ops{i}@test.board";
                await admin.PostAsJsonAsync("/api/members",
                    new { email, displayName = $"Converge ops {i}", password = "Converge!pass1", roles = new[] { "operations" } });
                _approvers[i] = (A.Client(await A.LoginAsync(email, "Converge!pass1")), B.Client(await B.LoginAsync(email, "Converge!pass1")));
                _clients.Add(_approvers[i].OnA);
                _clients.Add(_approvers[i].OnB);
            }
            // Proposals of the two boards alternate in the trail, so a board's previous entry is rarely the trail's.
            var onWatched = await Db.PostProposalsAsync(boards[0], "staff1@demo.board", ProposalsPerBoard);
            var onOther = await Db.PostProposalsAsync(boards[1], "staff1@demo.board", ProposalsPerBoard);
            _proposals = [.. onWatched.Zip(onOther).SelectMany(p => new[] { p.First, p.Second })];

            var token = await A.LoginAsync("manager@demo.board", DemoSeeder.Password);
            for (var i = 0; i < 2; i++) WatchersOnA.Add(await RepairingWatcher.StartAsync(A, B, token, Watched));
            for (var i = 0; i < 2; i++) WatchersOnB.Add(await RepairingWatcher.StartAsync(B, B, token, Watched));
        }

        /// <summary>
        /// Every approver approves each proposal in turn, alternately through A and B, four at a time, until all are
        /// approved or <paramref name="until"/> says stop.
        /// </summary>
        public async Task<List<HttpStatusCode>> ApproveAsync(Func<bool> until)
        {
            var results = new ConcurrentQueue<HttpStatusCode>();
            var total = _proposals.Length * Approvers;
            var clock = Stopwatch.StartNew();
            await Parallel.ForAsync(0, total, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (n, ct) =>
            {
                if (until()) return;
                var (j, k) = (n / Approvers, n % Approvers);
                var onA = (j + k) % 2 == 0;
                if (onA && _killing) return;
                try
                {
                    using var response = await (onA ? _approvers[k].OnA : _approvers[k].OnB).PostAsync($"/api/proposals/{_proposals[j]}/approvals", null, ct);
                    results.Enqueue(response.StatusCode);
                    Assert.True(response.StatusCode is HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
                catch (HttpRequestException) when (onA && _killing)
                {
                    // A was killed with the request in flight: it was never answered.
                }
            });
            _output.WriteLine($"{results.Count} approvals answered in {clock.Elapsed.TotalSeconds:0.0} s");
            return [.. results];
        }

        /// <summary>Waits until both instances' readiness answers <paramref name="status"/>; fails if it does not within the time.</summary>
        public async Task WaitForReadinessAsync(HttpStatusCode status, TimeSpan timeout)
        {
            foreach (var instance in new[] { A, B })
            {
                using var http = instance.Client();
                var deadline = DateTime.UtcNow + timeout;
                HttpStatusCode now;
                while ((now = (await http.GetAsync("/healthz/ready")).StatusCode) != status && DateTime.UtcNow < deadline) await Task.Delay(200);
                Assert.Equal(status, now);
            }
        }

        public async Task AssertEveryWatcherHoldsTheBoardAsync(bool expectRepair)
        {
            var entries = await Db.EntriesAsync();
            var board = entries.Where(e => e.BoardId == Watched).Select(e => e.Seq).ToList();
            var verify = await Db.VerifyAsync();
            Assert.True(verify.Valid, verify.Problem);
            foreach (var watcher in WatchersOnA.Concat(WatchersOnB))
            {
                var expected = board.Where(s => s > watcher.StartSeq).ToList();
                var held = await watcher.WaitForAsync(expected, TimeSpan.FromSeconds(15));
                _output.WriteLine($"watcher from {watcher.StartSeq}: {held.Count} of {expected.Count} entries, {watcher.Repaired} by repair");
                Assert.Equal(expected, held);
            }
            if (expectRepair) Assert.Contains(WatchersOnA.Concat(WatchersOnB), w => w.Repaired > 0);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var watcher in WatchersOnA.Concat(WatchersOnB)) await watcher.DisposeAsync();
            foreach (var client in _clients) client.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
            await Db.DisposeAsync();
        }
    }
}
