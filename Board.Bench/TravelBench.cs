using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Bench;

/// <summary>
/// (1) decision travel and (2) the broadcast floors, for one watcher count: Board, the bare hub and the durable
/// broadcast (one fsynced commit, then the broadcast) take turns round by round, so whatever else the machine does
/// falls on all three alike.
/// </summary>
public sealed class TravelBench(BoardApi api, BenchSetup setup, IReadOnlyList<Uri> boardHubs, Uri floorHub, CpuMeter cpu)
{
    private static readonly TimeSpan RoundLimit = TimeSpan.FromSeconds(60);
    private const int DurableRounds = 1_000_000;

    public async Task<TravelResult> RunAsync(int n, int decisions, CancellationToken ct)
    {
        var arrivals = new Arrivals();
        var floorArrivals = new Arrivals();
        var target = "";
        var floorRound = -1;
        long events = 0;
        JsonElement? sample = null;

        await using var board = new WatcherSet();
        await using var floor = new WatcherSet();
        // One message per commit: the deciding approval's commit carries approval.added and proposal.executed together.
        void OnCommit(JsonElement c)
        {
            Interlocked.Increment(ref events);
            foreach (var e in c.GetProperty("entries").EnumerateArray())
            {
                if (!e.GetProperty("action").ValueEquals("proposal.executed") || !e.GetProperty("proposalId").ValueEquals(Volatile.Read(ref target))) continue;
                sample ??= c.Clone();
                arrivals.Arrive();
            }
        }
        var opened = 0;
        await board.AddAsync(n, () => WatcherSet.Build(boardHubs[Interlocked.Increment(ref opened) % boardHubs.Count], setup.WatcherToken), c =>
        {
            c.On<JsonElement>("commit", OnCommit);
        }, c => c.InvokeAsync("Watch", setup.TravelBoardId), TimeSpan.FromSeconds(300));
        await floor.AddAsync(board.Count, () => WatcherSet.Build(floorHub, null), c => c.On<int, JsonElement>("event", (round, _) =>
        {
            if (round == Volatile.Read(ref floorRound)) floorArrivals.Arrive();
        }), c => c.InvokeAsync("Watch"), TimeSpan.FromSeconds(300));
        var watching = Math.Min(board.Count, floor.Count);
        Log.Line($"  {n} watchers: {board.Count} on Board, {floor.Count} on the floor hub ({board.ConnectTime.TotalSeconds:F1} s, {floor.ConnectTime.TotalSeconds:F1} s){Error(board, floor)}");

        await using var driver = WatcherSet.Build(floorHub, null);
        await driver.StartAsync(ct);

        List<double> travel = [], first = [], response = [], floorTravel = [], floorFirst = [], durableTravel = [];
        int missed = 0, floorMissed = 0, durableMissed = 0;
        var meter = new CpuMeter(null);
        var usage = cpu.Start();
        // Round 0 warms both paths up and captures the payload the floor sends; it is not counted.
        for (var round = 0; round <= decisions && !ct.IsCancellationRequested; round++)
        {
            Interlocked.Exchange(ref events, 0);
            var posted = await api.SendAsync(HttpMethod.Post, $"/api/boards/{setup.TravelBoardId}/proposals", setup.AuthorToken,
                new { title = $"Travel {n}/{round}: restock the cold aisle before 9", body = BenchSetup.Body }, ct);
            var id = posted.GetProperty("id").GetGuid();
            await api.SendAsync(HttpMethod.Post, $"/api/proposals/{id}/approvals", setup.ApproverTokens[0], null, ct);
            await api.SendAsync(HttpMethod.Post, $"/api/proposals/{id}/approvals", setup.ApproverTokens[1], null, ct);
            // Quiet before the measured approval: every watcher has the three commits so far.
            var quiet = Stopwatch.StartNew();
            while (Interlocked.Read(ref events) < 3L * board.Count && quiet.Elapsed < RoundLimit) await Task.Delay(2, ct);

            arrivals.Expect(board.Count);
            Volatile.Write(ref target, id.ToString());
            var t0 = Stopwatch.GetTimestamp();
            await api.SendAsync(HttpMethod.Post, $"/api/proposals/{id}/approvals", setup.ApproverTokens[2], null, ct);
            var tResponse = Stopwatch.GetTimestamp();
            var complete = await arrivals.WaitAsync(RoundLimit);
            if (round > 0)
            {
                if (!complete) missed++;
                travel.Add(Ms(t0, arrivals.Last));
                first.Add(Ms(t0, arrivals.First));
                response.Add(Ms(t0, tResponse));
            }
            if (sample is null) throw new InvalidOperationException("No watcher received the commit with proposal.executed");

            floorArrivals.Expect(floor.Count);
            Volatile.Write(ref floorRound, round);
            var f0 = Stopwatch.GetTimestamp();
            await driver.InvokeAsync("Fire", round, sample.Value, ct);
            var floorComplete = await floorArrivals.WaitAsync(RoundLimit);
            if (round > 0)
            {
                if (!floorComplete) floorMissed++;
                floorTravel.Add(Ms(f0, floorArrivals.Last));
                floorFirst.Add(Ms(f0, floorArrivals.First));
            }

            // The durable-broadcast floor: the same hub commits one fsynced row first (round numbers of its own).
            floorArrivals.Expect(floor.Count);
            Volatile.Write(ref floorRound, DurableRounds + round);
            var d0 = Stopwatch.GetTimestamp();
            await driver.InvokeAsync("FireDurable", DurableRounds + round, sample.Value, ct);
            var durableComplete = await floorArrivals.WaitAsync(RoundLimit);
            if (round > 0)
            {
                if (!durableComplete) durableMissed++;
                durableTravel.Add(Ms(d0, floorArrivals.Last));
            }
        }
        var used = usage.Stop();
        var t = Percentiles.Of(travel);
        var f = Percentiles.Of(floorTravel);
        var d = Percentiles.Of(durableTravel);
        return new TravelResult(n, watching, board.ConnectTime.TotalSeconds, board.FirstError ?? floor.FirstError, travel.Count, missed,
            sample?.GetRawText().Length ?? 0, t, Percentiles.Of(first), Percentiles.Of(response), f, Percentiles.Of(floorFirst),
            floorMissed, t.P50 / f.P50, t.P99 / f.P99, used, d, durableMissed, t.P50 / d.P50, t.P99 / d.P99);
    }

    private static string Error(WatcherSet board, WatcherSet floor) =>
        (board.FirstError ?? floor.FirstError) is { } error ? " — " + error : "";

    private static double Ms(long from, long to) => to <= from ? double.NaN : Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
