using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Bench;

/// <summary>(4) idle watchers held, in steps, with the server's resident memory per connection.</summary>
public sealed class ConnectionsBench(BenchSetup setup, Uri boardHub, ChildProcess? server, CpuMeter cpu)
{
    public async Task<ConnectionsResult> RunAsync(int target, TimeSpan limit, CancellationToken ct)
    {
        int[] steps = [.. new[] { 1000, 2500, 5000, 10_000, 15_000, 20_000 }.Where(s => s < target).Append(target)];
        var before = await SettledRssAsync(ct);
        var held = new List<HeldStep>();
        string? stoppedBy = null;
        var usage = cpu.Start();
        var deadline = Stopwatch.StartNew();
        await using var watchers = new WatcherSet();
        foreach (var step in steps)
        {
            var remaining = limit - deadline.Elapsed;
            if (remaining <= TimeSpan.Zero) { stoppedBy = $"time limit {limit.TotalSeconds:F0} s"; break; }
            var t0 = Stopwatch.GetTimestamp();
            await watchers.AddAsync(step - watchers.Count, () => WatcherSet.Build(boardHub, setup.WatcherToken), _ => { },
                c => c.InvokeAsync("Watch", setup.TravelBoardId), remaining, parallel: 64);
            var rss = await SettledRssAsync(ct);
            var self = Process.GetCurrentProcess();
            var (previousRss, previousCount) = held.Count == 0 ? (before, 0) : (held[^1].ServerRssBytes, held[^1].Watchers);
            // Against --url there is no server process to read: memory is then not known, not zero.
            var known = server is not null;
            held.Add(new HeldStep(watchers.Count, rss, known ? (rss - before) / (double)Math.Max(1, watchers.Count) : double.NaN,
                known ? (rss - previousRss) / (double)Math.Max(1, watchers.Count - previousCount) : double.NaN, self.WorkingSet64,
                Stopwatch.GetElapsedTime(t0).TotalSeconds));
            Log.Line($"  {watchers.Count} idle watchers held" + (known ? $"; server RSS {rss / 1048576.0:F0} MiB ({held[^1].ServerBytesPerConnection / 1024:F1} KiB each)" : ""));
            if (watchers.FirstError is { } error) { stoppedBy = error; break; }
            if (watchers.Count < step) { stoppedBy = $"time limit {limit.TotalSeconds:F0} s"; break; }
        }
        var used = usage.Stop();
        return new ConnectionsResult(target, watchers.Count, stoppedBy, before, held, used, server is null ? null : OpenFilesLimit.Of(server.Process.Id));
    }

    /// <summary>RSS after the server has had two seconds without new work.</summary>
    private async Task<long> SettledRssAsync(CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        return server?.Rss() ?? -1;
    }
}
