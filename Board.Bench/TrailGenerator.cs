using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Board.Bench;

/// <summary>
/// A dev and benchmark tool: appends synthetic, validly chained entries to a Board database (created with the
/// real migrations, triggers included, if it does not exist) — a million in well under a minute, so that verify
/// and export can be measured at scale. The content is made up but deterministic: two runs give the same trail.
/// </summary>
public static class TrailGenerator
{
    private static readonly string[] Actions =
    [
        TrailActions.ProposalPosted, TrailActions.CommentAdded, TrailActions.ApprovalAdded, TrailActions.ApprovalAdded,
        TrailActions.ApprovalAdded, TrailActions.ProposalExecuted, TrailActions.ProposalCompleted, TrailActions.ProposalEdited,
    ];

    /// <summary><c>dotnet Board.Bench.dll generate --db PATH --count N</c>: fills a scratch file for scripts/trail-benchmark.sh.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string? path = null;
        long count = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--db") path = args[i + 1];
            else if (args[i] == "--count") count = long.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
        }
        if (path is null || count is < 1 or > 100_000_000)
        {
            await Console.Error.WriteLineAsync("usage: Board.Bench generate --db PATH --count N   (N from 1 to 100000000; never the app's own database)");
            return 2;
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        var head = await FillAsync(path, count);
        Console.WriteLine($"appended {count} entries to {path} in {started.Elapsed.TotalSeconds:0.0} s; head seq={head.Seq} hash={head.Hash}");
        return 0;
    }

    /// <summary>Appends <paramref name="count"/> entries after the current head of the trail in <paramref name="dbPath"/>; returns the new head.</summary>
    public static async Task<TrailHead> FillAsync(string dbPath, long count, CancellationToken ct = default)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = dbPath, Pooling = false }.ToString();
        var options = new DbContextOptionsBuilder<SqliteBoardDb>().UseSqlite(connectionString).Options;
        await using (var db = SqliteBoardDb.Create(options, new SqliteGroupCommit())) await db.Database.MigrateAsync(ct);

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var pragma = connection.CreateCommand())
        {
            // Benchmark files are scratch, so durability is traded for speed here and only here: the rollback
            // journal kept in memory and no fsync (WAL would write every page twice, once more at checkpoint).
            pragma.CommandText = "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-131072;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        var database = BoardDatabase.Of(DatabaseProvider.Sqlite, connectionString, "");
        TrailHead head;
        MerkleTree.Builder tree;
        await using (var snapshot = await TrailSnapshot.OpenAsync(database, ct))
        {
            head = await TrailReader.HeadAsync(snapshot, ct);
            // The Merkle tree grows with the chain, as the app's commits grow it.
            var treeSize = await TrailTree.SizeAsync(snapshot, ct);
            if (treeSize != head.Seq) throw new InvalidOperationException($"the file's Merkle tree holds {treeSize} entries, its trail {head.Seq}");
            tree = await TrailTree.BuilderAsync(TrailTree.From(snapshot), treeSize, ct);
        }
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);

        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO audit_entries (Seq, At, ActorId, ActorName, Action, BoardId, ProposalId, Data, PrevHash, Hash)
            VALUES ($seq, $at, $actorId, $actorName, $action, $boardId, $proposalId, $data, $prevHash, $hash)
            """;
        var p = new[] { "$seq", "$at", "$actorId", "$actorName", "$action", "$boardId", "$proposalId", "$data", "$prevHash", "$hash" }
            .Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
        p[0].SqliteType = p[1].SqliteType = SqliteType.Integer;
        insert.Prepare();
        await using var node = connection.CreateCommand();
        node.Transaction = tx;
        node.CommandText = "INSERT INTO trail_nodes (Id, Hash) VALUES ($id, $hash)";
        var nodeId = node.Parameters.Add("$id", SqliteType.Integer);
        var nodeHash = node.Parameters.Add("$hash", SqliteType.Blob);
        node.Prepare();

        var random = new Random(4);
        var actors = Enumerable.Range(1, 40).Select(i => new Actor(IdFrom(random), $"Member {i:00}")).ToArray();
        var boards = Enumerable.Range(0, 5).Select(_ => IdFrom(random)).ToArray();
        var start = head.At is null ? new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero) : DateTimeOffset.Parse(head.At, System.Globalization.CultureInfo.InvariantCulture);
        var (seq, hash) = (head.Seq, head.Hash);
        var proposal = IdFrom(random);
        for (long i = 1; i <= count; i++)
        {
            var action = Actions[(int)(i % Actions.Length)];
            if (action == TrailActions.ProposalPosted) proposal = IdFrom(random);
            var board = boards[(int)(i / Actions.Length % boards.Length)];
            var fact = new TrailFact(action, actors[random.Next(actors.Length)], start.AddSeconds(i * 7), board, proposal,
                new JsonObject { ["title"] = $"Synthetic proposal {i / Actions.Length}", ["note"] = $"Generated entry {i}" });
            var entry = AuditEntry.Append(seq, hash, fact);
            p[0].Value = entry.Seq;
            p[1].Value = entry.At.ToUnixTimeMilliseconds();
            p[2].Value = Text(entry.ActorId);
            p[3].Value = entry.ActorName;
            p[4].Value = entry.Action;
            p[5].Value = Text(entry.BoardId);
            p[6].Value = Text(entry.ProposalId);
            p[7].Value = entry.Data;
            p[8].Value = entry.PrevHash;
            p[9].Value = entry.Hash;
            insert.ExecuteNonQuery();
            foreach (var (id, nodeValue) in tree.Append(MerkleTree.LeafOf(entry)))
            {
                nodeId.Value = id.Key;
                nodeHash.Value = nodeValue;
                node.ExecuteNonQuery();
            }
            (seq, hash) = (entry.Seq, entry.Hash);
            if (i % 100_000 == 0) ct.ThrowIfCancellationRequested();
        }
        await tx.CommitAsync(ct);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(ct);
        }
        await using var after = await TrailSnapshot.OpenAsync(database, ct);
        return await TrailReader.HeadAsync(after, ct);
    }

    // Stored the way EF Core stores a Guid on SQLite, so the app's queries and the filters find them.
    private static object Text(Guid? id) => id is { } v ? v.ToString().ToUpperInvariant() : DBNull.Value;

    private static Guid IdFrom(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
