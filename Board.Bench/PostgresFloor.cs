using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Board.Bench;

/// <summary>
/// The PostgreSQL floor: raw Npgsql on a fresh database of the server given, and a write shaped like Board's approval
/// on PostgreSQL — BEGIN, SET LOCAL lock_timeout and <c>pg_advisory_xact_lock</c> on Board's own key (so writers are
/// serialized exactly as PostgresBoardDb serializes them), read the proposal and the trail head, insert the approval and
/// a chained trail row, update the proposal, COMMIT — with <c>synchronous_commit = on</c>, over tables indexed as
/// Board's are. The database is dropped at the end.
/// </summary>
public static class PostgresFloor
{
    /// <summary>PostgresBoardDb.WriteLockKey ("Board" in ASCII).</summary>
    private const long WriteLockKey = 0x426F617264;

    public static async Task<FloorResult> RunAsync(string server, int writers, int proposals, TimeSpan limit, TimeSpan warmup, CpuMeter cpu, CancellationToken ct)
    {
        var name = $"board_floor_{DateTime.UtcNow:yyyyMMddHHmmss}";
        var admin = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString();
        await ExecAsync(admin, $"CREATE DATABASE \"{name}\"", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true, MaxPoolSize = Math.Max(writers + 4, 20) }.ToString();
        try
        {
            await ExecAsync(cs, """
                CREATE TABLE proposals ("Id" uuid PRIMARY KEY, "BoardId" uuid NOT NULL, "Status" int NOT NULL, "Approvals" int NOT NULL, "Version" bigint NOT NULL, "Body" text NOT NULL);
                CREATE TABLE approvals ("ProposalId" uuid NOT NULL, "MemberId" text NOT NULL, "MemberName" text NOT NULL, "At" bigint NOT NULL, "TextHash" text NOT NULL, PRIMARY KEY ("ProposalId", "MemberId"));
                CREATE TABLE audit_entries ("Seq" bigint PRIMARY KEY, "At" bigint NOT NULL, "ActorId" uuid, "ActorName" text NOT NULL, "Action" text NOT NULL, "BoardId" uuid, "ProposalId" uuid, "Data" text NOT NULL, "PrevHash" text NOT NULL, "Hash" text NOT NULL);
                CREATE INDEX ix_board ON audit_entries ("BoardId", "Seq");
                CREATE INDEX ix_proposal ON audit_entries ("ProposalId", "Seq");
                CREATE INDEX ix_actor ON audit_entries ("ActorId", "Seq");
                CREATE INDEX ix_action ON audit_entries ("Action", "Seq");
                CREATE INDEX ix_at ON audit_entries ("At", "Seq");
                """, ct);
            await using (var setup = new NpgsqlConnection(cs))
            {
                await setup.OpenAsync(ct);
                await using var copy = await setup.BeginBinaryImportAsync("COPY proposals FROM STDIN (FORMAT BINARY)", ct);
                for (var j = 0; j < proposals; j++)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(Key(j), NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(Guid.Empty, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(0, NpgsqlTypes.NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(0, NpgsqlTypes.NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(1L, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(BenchSetup.Body, NpgsqlTypes.NpgsqlDbType.Text, ct);
                }
                await copy.CompleteAsync(ct);
            }

            // Warm-up first, untimed, as for Board (its writes are approvals by members of their own).
            if (warmup > TimeSpan.Zero) await WritersAsync(cs, writers, proposals, warmup, "warm-up ", new ConcurrentBag<double>(), ct);
            await CheckpointAsync(server, ct);
            var latencies = new ConcurrentBag<double>();
            var usage = cpu.Start();
            var started = Stopwatch.GetTimestamp();
            var count = await WritersAsync(cs, writers, proposals, limit, "", latencies, ct);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new FloorResult(writers, count, seconds, count / seconds, Percentiles.Of(latencies), usage.Stop());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None);
        }
    }

    private static async Task<int> WritersAsync(string cs, int writers, int proposals, TimeSpan limit, string members, ConcurrentBag<double> latencies, CancellationToken ct)
    {
        var count = 0;
        using var stop = new CancellationTokenSource(limit);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync(ct);
            await using (var durable = new NpgsqlCommand("SET synchronous_commit = on", connection)) await durable.ExecuteNonQueryAsync(ct);
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

    private static async Task WriteAsync(NpgsqlConnection c, Guid proposalId, string member, CancellationToken ct)
    {
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var take = new NpgsqlCommand($"SET LOCAL lock_timeout = 30000; SELECT pg_advisory_xact_lock({WriteLockKey});", c, tx))
            await take.ExecuteNonQueryAsync(ct);
        long version;
        await using (var read = new NpgsqlCommand("""SELECT "Status", "Approvals", "Version", "Body" FROM proposals WHERE "Id" = $1""", c, tx))
        {
            read.Parameters.AddWithValue(proposalId);
            await using var r = await read.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            version = r.GetInt64(2);
        }
        long seq;
        string prev;
        await using (var head = new NpgsqlCommand("""SELECT "Seq", "Hash" FROM audit_entries ORDER BY "Seq" DESC LIMIT 1""", c, tx))
        {
            await using var r = await head.ExecuteReaderAsync(ct);
            (seq, prev) = await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetString(1)) : (0L, new string('0', 64));
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var approval = new NpgsqlCommand("INSERT INTO approvals VALUES ($1, $2, $3, $4, $5)", c, tx))
        {
            approval.Parameters.AddWithValue(proposalId);
            approval.Parameters.AddWithValue(member);
            approval.Parameters.AddWithValue("Approver " + member);
            approval.Parameters.AddWithValue(now);
            approval.Parameters.AddWithValue(new string('a', 64));
            await approval.ExecuteNonQueryAsync(ct);
        }
        var data = $"{{\"approvals\":{version},\"member\":\"{member}\"}}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prev + data + (seq + 1))));
        await using (var entry = new NpgsqlCommand("INSERT INTO audit_entries VALUES ($1, $2, $3, $4, 'approval.added', $5, $6, $7, $8, $9)", c, tx))
        {
            entry.Parameters.AddWithValue(seq + 1);
            entry.Parameters.AddWithValue(now);
            entry.Parameters.AddWithValue(Guid.NewGuid());
            entry.Parameters.AddWithValue("Approver " + member);
            entry.Parameters.AddWithValue(Guid.Empty);
            entry.Parameters.AddWithValue(proposalId);
            entry.Parameters.AddWithValue(data);
            entry.Parameters.AddWithValue(prev);
            entry.Parameters.AddWithValue(hash);
            await entry.ExecuteNonQueryAsync(ct);
        }
        await using (var update = new NpgsqlCommand("""UPDATE proposals SET "Approvals" = "Approvals" + 1, "Version" = "Version" + 1 WHERE "Id" = $1 AND "Version" = $2""", c, tx))
        {
            update.Parameters.AddWithValue(proposalId);
            update.Parameters.AddWithValue(version);
            await update.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    private static Guid Key(int j) => new(j, 0, 0, new byte[8]);

    /// <summary>
    /// A checkpoint before each timed run on PostgreSQL, Board's and the floor's: the first change to a page after a
    /// checkpoint writes the whole page to the WAL, so a run that starts just after one pays more than a run that
    /// starts late in the interval. (The server's checkpoints were landing in one run or the other: floors of 940 to
    /// 1,591/s from run to run on this machine.)
    /// </summary>
    public static Task CheckpointAsync(string server, CancellationToken ct) =>
        ExecAsync(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString(), "CHECKPOINT", ct);

    private static async Task ExecAsync(string cs, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
