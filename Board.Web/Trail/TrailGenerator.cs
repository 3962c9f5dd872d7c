using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Realtime;
using Board.Web.Webhooks;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Trail;

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

    /// <summary>Appends <paramref name="count"/> entries after the current head of the trail in <paramref name="dbPath"/>; returns the new head.</summary>
    public static async Task<TrailHead> FillAsync(string dbPath, long count, CancellationToken ct = default)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = dbPath, Pooling = false }.ToString();
        var options = new DbContextOptionsBuilder<BoardDb>().UseSqlite(connectionString).Options;
        await using (var db = new BoardDb(options, new TrailSignal(), new WebhookSignal(), new WriteGate())) await db.Database.MigrateAsync(ct);

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var pragma = connection.CreateCommand())
        {
            // Benchmark files are scratch, so durability is traded for speed here and only here: the rollback
            // journal kept in memory and no fsync (WAL would write every page twice, once more at checkpoint).
            pragma.CommandText = "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-131072;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        var head = await TrailReader.HeadAsync(tx, ct);

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
            (seq, hash) = (entry.Seq, entry.Hash);
            if (i % 100_000 == 0) ct.ThrowIfCancellationRequested();
        }
        await tx.CommitAsync(ct);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(ct);
        }
        return await HeadOfAsync(connection, ct);
    }

    private static async Task<TrailHead> HeadOfAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var tx = (SqliteTransaction)connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: true);
        return await TrailReader.HeadAsync(tx, ct);
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
