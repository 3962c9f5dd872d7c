using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Bench;

/// <summary>
/// (6) N distinct members joining one board: each with their own account and their own sign-in, each opening one
/// SignalR connection and watching the same board, as the board page does. Preparing the accounts (a password hash
/// each to create, another to sign in) is timed apart; the timed part runs from the first connect to every member
/// joined (<c>Watch</c> returned) and to every watcher having heard a <c>presence</c> whose count is N.
/// </summary>
/// <param name="direct">The database of the Board.Web the bench started (provider, connection string) for
/// <see cref="DirectMembers"/>; null: every member through the HTTP API, two password hashes each.</param>
public sealed class MembersBench(BoardApi api, BenchSetup setup, BenchOptions options, Uri boardHub, ChildProcess? server, CpuMeter cpu,
    (string Provider, string ConnectionString)? direct)
{
    /// <summary>How many sign-ups and sign-ins at once: each is one PBKDF2 hash on the server, so a few per core keep it busy.</summary>
    private static readonly int Preparing = Math.Max(4, 2 * Environment.ProcessorCount);

    private sealed class Watcher
    {
        public int Messages;
        public long Bytes;
        public int Full;
    }

    public async Task<MembersResult> RunAsync(int n, TimeSpan prepareLimit, TimeSpan joinLimit, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var board = await api.SendAsync(HttpMethod.Post, "/api/boards", setup.AdminToken,
            new { name = $"Members {run}", policy = new { approvalsRequired = 3, approverRole = "operations", expiresAfterDays = 0 } }, ct);
        var boardId = BenchSetup.IdOf(board);

        // Names in an order unrelated to the order of joining (a fixed shuffle), so that the first names listed
        // keep changing as the board fills, as they would with real people.
        var order = Enumerable.Range(0, n).ToArray();
        new Random(12).Shuffle(order);

        var (tokens, prepare, prepareError) = direct is { } database
            ? await PrepareDirectAsync(database, n, run, order, prepareLimit, ct)
            : await PrepareAsync(n, run, order, prepareLimit, ct);
        Log.Line($"  {tokens.Count} members created and signed in in {prepare.WallSeconds:F1} s (server CPU {prepare.ServerCpuSeconds:F1} s){(prepareError is null ? "" : " — " + prepareError)}");

        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var rssBefore = server?.Rss() ?? -1;
        var watchers = new Watcher[tokens.Count];
        for (var i = 0; i < watchers.Length; i++) watchers[i] = new Watcher();
        var target = tokens.Count;
        var full = 0;
        long lastJoined = 0, lastFull = 0;
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opened = -1;

        var usage = cpu.Start();
        var t0 = Stopwatch.GetTimestamp();
        await using var set = new WatcherSet();
        await set.AddAsync(tokens.Count, () =>
        {
            var i = Interlocked.Increment(ref opened);
            var c = WatcherSet.Build(boardHub, tokens[i]);
            var w = watchers[i];
            c.On<JsonElement>("presence", p =>
            {
                Interlocked.Increment(ref w.Messages);
                // The argument as JSON text (UTF-8, ASCII names): what the message carries, less SignalR's ~45-byte frame.
                Interlocked.Add(ref w.Bytes, p.GetRawText().Length);
                if (p.GetProperty("boardId").GetGuid() == boardId && p.GetProperty("count").GetInt32() >= target
                    && Interlocked.Exchange(ref w.Full, 1) == 0 && Interlocked.Increment(ref full) == target)
                {
                    Volatile.Write(ref lastFull, Stopwatch.GetTimestamp());
                    allSeen.TrySetResult();
                }
            });
            return c;
        }, _ => { }, async c =>
        {
            await c.InvokeAsync("Watch", boardId);
            var now = Stopwatch.GetTimestamp();
            long seen;
            while ((seen = Volatile.Read(ref lastJoined)) < now && Interlocked.CompareExchange(ref lastJoined, now, seen) != seen) { }
        }, joinLimit, parallel: 64);
        var joined = set.Count;
        Log.Line($"  {joined} of {target} joined in {Stopwatch.GetElapsedTime(t0, Volatile.Read(ref lastJoined)).TotalSeconds:F1} s{(set.FirstError is null ? "" : " — " + set.FirstError)}");

        string? stoppedBy = joined == target ? null
            : Stopwatch.GetElapsedTime(t0) >= joinLimit ? $"time limit {joinLimit.TotalSeconds:F0} s, {joined} of {target} joined" : set.FirstError;
        var left = joinLimit - Stopwatch.GetElapsedTime(t0);
        if (joined == target && !await Wait(allSeen.Task, left > TimeSpan.Zero ? left : TimeSpan.Zero))
            stoppedBy = $"time limit {joinLimit.TotalSeconds:F0} s: {Volatile.Read(ref full)} of {target} watchers saw count {target}";
        var used = usage.Stop();
        // A second without arrivals: whatever presence was still on its way is counted too.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var rssAfter = server?.Rss() ?? -1;

        var seenAt = Volatile.Read(ref lastFull);
        var messages = watchers.Select(w => Volatile.Read(ref w.Messages)).ToArray();
        var bytes = watchers.Select(w => Interlocked.Read(ref w.Bytes)).ToArray();
        var result = new MembersResult(n, direct is null ? "api" : "direct", tokens.Count, prepare, prepareError, joined,
            lastJoined == 0 ? double.NaN : Stopwatch.GetElapsedTime(t0, lastJoined).TotalSeconds,
            seenAt == 0 ? double.NaN : Stopwatch.GetElapsedTime(t0, seenAt).TotalSeconds, Volatile.Read(ref full),
            messages.Sum(m => (long)m), messages.DefaultIfEmpty().Max(), messages.Length == 0 ? double.NaN : messages.Average(),
            bytes.Sum(), bytes.DefaultIfEmpty().Max(), used, rssBefore, rssAfter, stoppedBy);
        Log.Line($"  {result.SawAll} of {target} watchers saw count {target}{(result.SawAll == target ? $" after {result.SeenSeconds:F1} s" : "")}; presence per watcher mean {result.MessagesMean:F1}, max {result.MessagesMax}, "
            + $"{result.BytesTotal / 1048576.0:F0} MiB in all; server CPU {used.ServerCpuSeconds:F1} s{(stoppedBy is null ? "" : " — " + stoppedBy)}");
        return result;
    }

    /// <summary>
    /// Each member made through the product's own paths: <c>POST /api/members</c> as the admin, then
    /// <c>POST /api/auth/login</c> as the member, a few at a time, within <paramref name="limit"/>.
    /// </summary>
    private async Task<(List<string> Tokens, CpuUse Cpu, string? Error)> PrepareAsync(int n, string run, int[] order, TimeSpan limit, CancellationToken ct)
    {
        var tokens = new string?[n];
        string? error = null;
        var usage = new CpuMeter(server?.Process).Start();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limit);
        var next = -1;
        var progress = Stopwatch.StartNew();
        async Task Worker()
        {
            int i;
            while (error is null && !cts.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < n)
            {
                try
                {
                    var email = $"member{i:D5}-{run}@bench.board";
                    await api.SendAsync(HttpMethod.Post, "/api/members", setup.AdminToken,
                        new { email, displayName = $"Member {order[i]:D5} {run}", password = BenchSetup.Password, roles = new[] { "staff" } }, cts.Token);
                    tokens[i] = await api.LoginAsync(email, BenchSetup.Password, cts.Token);
                    if ((i + 1) % 500 == 0 && progress.Elapsed > TimeSpan.FromSeconds(10))
                    {
                        progress.Restart();
                        Log.Line($"  … {i + 1} members prepared");
                    }
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    error ??= $"preparation time limit {limit.TotalSeconds:F0} s";
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException)
                {
                    error ??= ex.Message;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Preparing).Select(_ => Task.Run(Worker, CancellationToken.None)));
        ct.ThrowIfCancellationRequested();
        return ([.. tokens.OfType<string>()], usage.Stop(), error);
    }

    /// <summary>The same members made in the bench's process with Board.Web's own code (see <see cref="DirectMembers"/>).</summary>
    private async Task<(List<string> Tokens, CpuUse Cpu, string? Error)> PrepareDirectAsync(
        (string Provider, string ConnectionString) database, int n, string run, int[] order, TimeSpan limit, CancellationToken ct)
    {
        var usage = new CpuMeter(server?.Process).Start();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limit);
        await using var members = DirectMembers.Open(database.Provider, database.ConnectionString);
        var progress = Stopwatch.StartNew();
        try
        {
            var tokens = await members.CreateAsync(options.AdminEmail,
                [.. Enumerable.Range(0, n).Select(i => ($"member{i:D5}-{run}@bench.board", $"Member {order[i]:D5} {run}"))], BenchSetup.Password, 250,
                done => { if (progress.Elapsed > TimeSpan.FromSeconds(10)) { progress.Restart(); Log.Line($"  … {done} members prepared"); } }, cts.Token);
            return (tokens, usage.Stop(), null);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return ([], usage.Stop(), $"preparation time limit {limit.TotalSeconds:F0} s");
        }
    }

    private static async Task<bool> Wait(Task task, TimeSpan timeout) => await Task.WhenAny(task, Task.Delay(timeout)) == task;
}
