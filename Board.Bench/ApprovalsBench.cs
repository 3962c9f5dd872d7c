using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Board.Bench;

/// <summary>
/// (3) approvals committed per second with concurrent approvers across many proposals. Each proposal gets four
/// approvers for a quorum of three, so the last one races the execution and must be refused with not-open.
/// </summary>
public sealed class ApprovalsBench(IReadOnlyList<BoardApi> instances, BenchSetup setup, CpuMeter cpu)
{
    private readonly BoardApi _api = instances[0];

    /// <param name="settle">Run after the warm-up, just before the timed run (a PostgreSQL checkpoint).</param>
    public async Task<ApprovalsResult> RunAsync(int proposals, TimeSpan limit, TimeSpan warmup, CancellationToken ct, Func<CancellationToken, Task>? settle = null)
    {
        var successes = new ConcurrentDictionary<Guid, int>();
        // Warm-up, not timed: approvals of proposals of their own until the warm-up time is up, so that the timed run
        // measures the server as it runs for days (its code compiled to its final tier), not its first seconds.
        var warmupProposals = warmup > TimeSpan.Zero ? Math.Max(1, proposals / 2) : 0;
        if (warmupProposals > 0)
        {
            Log.Line($"  warm-up: {warmupProposals} proposals, at most {warmup.TotalSeconds:F0} s, not timed");
            await ApproveAsync(await PostAsync(warmupProposals, "Warm-up", ct), warmup, successes, new ConcurrentBag<double>(), ct);
        }

        var ids = await PostAsync(proposals, "Approvals", ct);
        if (settle is not null) await settle(ct);
        Log.Line("  timed run");
        var latencies = new ConcurrentBag<double>();
        var usage = cpu.Start();
        var started = Stopwatch.GetTimestamp();
        var (committed, refused, errors) = await ApproveAsync(ids, limit, successes, latencies, ct);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var used = usage.Stop();

        // Exactly once, checked from the trail: every proposal.executed entry of this board, counted per proposal.
        var executed = new Dictionary<Guid, int>();
        long after = 0;
        for (var page = 0; page < 10_000; page++)
        {
            var p = await _api.SendAsync(HttpMethod.Get, $"/api/audit?action=proposal.executed&boardId={setup.ApprovalsBoardId}&after={after}&limit=500", setup.AdminToken, null, ct);
            foreach (var e in p.GetProperty("items").EnumerateArray())
            {
                var id = e.GetProperty("proposalId").GetGuid();
                executed[id] = executed.GetValueOrDefault(id) + 1;
            }
            if (p.GetProperty("next").ValueKind != JsonValueKind.Number) break;
            after = p.GetProperty("next").GetInt64();
        }
        // The exactly-once figures cover the warm-up's proposals too; whether the timed work ran out, only the timed ones.
        return new ApprovalsResult(setup.ApproverTokens.Count, proposals, committed, refused, errors, seconds, committed / seconds, Percentiles.Of(latencies),
            executed.Values.Sum(), executed.Count, executed.Values.Count(v => v > 1), successes.Values.Count(v => v >= 3),
            successes.Values.Count(v => v > 3), used, warmupProposals, warmup.TotalSeconds, ids.Count(executed.ContainsKey));
    }

    private async Task<Guid[]> PostAsync(int proposals, string title, CancellationToken ct)
    {
        var ids = new Guid[proposals];
        await Parallel.ForAsync(0, proposals, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (j, c) =>
            ids[j] = BenchSetup.IdOf(await _api.SendAsync(HttpMethod.Post, $"/api/boards/{setup.ApprovalsBoardId}/proposals",
                setup.AuthorToken, new { title = $"{title} {j}: label the returns shelf", body = BenchSetup.Body }, c)));
        return ids;
    }

    /// <summary>Every approver approves its share of <paramref name="ids"/> (four approvers per proposal) until done or <paramref name="limit"/>.</summary>
    private async Task<(int Committed, int Refused, int Errors)> ApproveAsync(
        Guid[] ids, TimeSpan limit, ConcurrentDictionary<Guid, int> successes, ConcurrentBag<double> latencies, CancellationToken ct)
    {
        var approvers = setup.ApproverTokens.Count;
        var work = Enumerable.Range(0, approvers).Select(w =>
        {
            var mine = Enumerable.Range(0, ids.Length).Where(j => Enumerable.Range(0, 4).Any(k => (j + k) % approvers == w)).Select(j => ids[j]).ToArray();
            new Random(w).Shuffle(mine);
            return mine;
        }).ToArray();

        int committed = 0, refused = 0, errors = 0;
        using var stop = new CancellationTokenSource(limit);
        await Task.WhenAll(Enumerable.Range(0, approvers).Select(w => Task.Run(async () =>
        {
            foreach (var id in work[w])
            {
                if (stop.IsCancellationRequested) break;
                var t0 = Stopwatch.GetTimestamp();
                // With several instances, approver w always goes to instance w mod N: each proposal's approvals arrive through all of them.
                using var response = await instances[w % instances.Count].RawAsync(HttpMethod.Post, $"/api/proposals/{id}/approvals", setup.ApproverTokens[w], null, ct);
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref committed);
                    successes.AddOrUpdate(id, 1, (_, v) => v + 1);
                }
                else if (response.StatusCode == HttpStatusCode.Conflict && (await response.Content.ReadAsStringAsync(ct)).Contains("not-open"))
                    Interlocked.Increment(ref refused);
                else
                    Interlocked.Increment(ref errors);
            }
        }, ct)));
        return (committed, refused, errors);
    }
}

/// <summary>
/// The SQLite floor: raw Microsoft.Data.Sqlite with Board's pragmas (WAL, synchronous=FULL, busy_timeout) and a write
/// shaped like an approval — BEGIN IMMEDIATE, read the proposal and the trail head, insert the approval and a chained
/// trail row, update the proposal, commit — over tables indexed as Board's are.
/// </summary>
public static class SqliteFloor
{
    public static async Task<FloorResult> RunAsync(string path, int writers, int proposals, TimeSpan limit, TimeSpan warmup, CpuMeter cpu, CancellationToken ct)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        await using (var setup = await OpenAsync(cs, ct))
        {
            await ExecAsync(setup, """
                PRAGMA journal_mode=WAL;
                CREATE TABLE proposals (Id TEXT PRIMARY KEY, BoardId TEXT NOT NULL, Status INTEGER NOT NULL, Approvals INTEGER NOT NULL, Version INTEGER NOT NULL, Body TEXT NOT NULL);
                CREATE TABLE approvals (ProposalId TEXT NOT NULL, MemberId TEXT NOT NULL, MemberName TEXT NOT NULL, At INTEGER NOT NULL, TextHash TEXT NOT NULL, PRIMARY KEY (ProposalId, MemberId));
                CREATE TABLE audit_entries (Seq INTEGER PRIMARY KEY, At INTEGER NOT NULL, ActorId TEXT, ActorName TEXT NOT NULL, Action TEXT NOT NULL, BoardId TEXT, ProposalId TEXT, Data TEXT NOT NULL, PrevHash TEXT NOT NULL, Hash TEXT NOT NULL);
                CREATE INDEX ix_board ON audit_entries (BoardId, Seq);
                CREATE INDEX ix_proposal ON audit_entries (ProposalId, Seq);
                CREATE INDEX ix_actor ON audit_entries (ActorId, Seq);
                CREATE INDEX ix_action ON audit_entries (Action, Seq);
                CREATE INDEX ix_at ON audit_entries (At, Seq);
                """, ct);
            await using var tx = setup.BeginTransaction();
            for (var j = 0; j < proposals; j++)
            {
                await using var insert = setup.CreateCommand();
                insert.CommandText = "INSERT INTO proposals VALUES ($id, $board, 0, 0, 1, $body)";
                insert.Parameters.AddWithValue("$id", Key(j));
                insert.Parameters.AddWithValue("$board", Guid.Empty.ToString());
                insert.Parameters.AddWithValue("$body", BenchSetup.Body);
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }

        // Warm-up first, untimed, as for Board (its writes are approvals by members of their own).
        if (warmup > TimeSpan.Zero) await WritersAsync(cs, writers, proposals, warmup, "warm-up ", new ConcurrentBag<double>(), ct);
        var latencies = new ConcurrentBag<double>();
        var usage = cpu.Start();
        var started = Stopwatch.GetTimestamp();
        var count = await WritersAsync(cs, writers, proposals, limit, "", latencies, ct);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new FloorResult(writers, count, seconds, count / seconds, Percentiles.Of(latencies), usage.Stop());
    }

    private static async Task<int> WritersAsync(string cs, int writers, int proposals, TimeSpan limit, string members, ConcurrentBag<double> latencies, CancellationToken ct)
    {
        var count = 0;
        using var stop = new CancellationTokenSource(limit);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await using var connection = await OpenAsync(cs, ct);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await WriteAsync(connection, Key((w + i * writers) % proposals), $"{members}{w}:{i}", ct);
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                Interlocked.Increment(ref count);
            }
        }, ct)));
        return count;
    }

    private static async Task WriteAsync(SqliteConnection c, string proposalId, string member, CancellationToken ct)
    {
        await using var tx = c.BeginTransaction(deferred: false); // BEGIN IMMEDIATE, as Board's write transaction
        long version;
        await using (var read = c.CreateCommand())
        {
            read.CommandText = "SELECT Status, Approvals, Version, Body FROM proposals WHERE Id = $id";
            read.Parameters.AddWithValue("$id", proposalId);
            await using var r = await read.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            version = r.GetInt64(2);
        }
        long seq;
        string prev;
        await using (var head = c.CreateCommand())
        {
            head.CommandText = "SELECT Seq, Hash FROM audit_entries ORDER BY Seq DESC LIMIT 1";
            await using var r = await head.ExecuteReaderAsync(ct);
            (seq, prev) = await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetString(1)) : (0L, new string('0', 64));
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var approval = c.CreateCommand())
        {
            approval.CommandText = "INSERT INTO approvals VALUES ($p, $m, $name, $at, $th)";
            approval.Parameters.AddWithValue("$p", proposalId);
            approval.Parameters.AddWithValue("$m", member);
            approval.Parameters.AddWithValue("$name", "Approver " + member);
            approval.Parameters.AddWithValue("$at", now);
            approval.Parameters.AddWithValue("$th", new string('a', 64));
            await approval.ExecuteNonQueryAsync(ct);
        }
        var data = $"{{\"approvals\":{version},\"member\":\"{member}\"}}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prev + data + (seq + 1))));
        await using (var entry = c.CreateCommand())
        {
            entry.CommandText = "INSERT INTO audit_entries VALUES ($seq, $at, $actor, $name, 'approval.added', $board, $p, $data, $prev, $hash)";
            entry.Parameters.AddWithValue("$seq", seq + 1);
            entry.Parameters.AddWithValue("$at", now);
            entry.Parameters.AddWithValue("$actor", Guid.NewGuid().ToString());
            entry.Parameters.AddWithValue("$name", "Approver " + member);
            entry.Parameters.AddWithValue("$board", Guid.Empty.ToString());
            entry.Parameters.AddWithValue("$p", proposalId);
            entry.Parameters.AddWithValue("$data", data);
            entry.Parameters.AddWithValue("$prev", prev);
            entry.Parameters.AddWithValue("$hash", hash);
            await entry.ExecuteNonQueryAsync(ct);
        }
        await using (var update = c.CreateCommand())
        {
            update.CommandText = "UPDATE proposals SET Approvals = Approvals + 1, Version = Version + 1 WHERE Id = $id AND Version = $v";
            update.Parameters.AddWithValue("$id", proposalId);
            update.Parameters.AddWithValue("$v", version);
            await update.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    private static string Key(int j) => new Guid(j, 0, 0, new byte[8]).ToString();

    private static async Task<SqliteConnection> OpenAsync(string cs, CancellationToken ct)
    {
        var c = new SqliteConnection(cs);
        await c.OpenAsync(ct);
        await ExecAsync(c, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;", ct);
        return c;
    }

    private static async Task ExecAsync(SqliteConnection c, string sql, CancellationToken ct)
    {
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
