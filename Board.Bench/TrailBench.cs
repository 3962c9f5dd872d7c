using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;
using Microsoft.Data.Sqlite;

namespace Board.Bench;

/// <summary>
/// (5) the trail at 1,000,000 entries. Each step runs in its own child process of the bench (<c>--trail-build</c>,
/// <c>--trail-verify</c>, <c>--trail-export</c>) so that its peak working set is its own, not the load generator's.
/// </summary>
public static class TrailBench
{
    private const string Select = "SELECT Seq, At, ActorId, ActorName, Action, BoardId, ProposalId, Data, PrevHash, Hash FROM audit_entries ORDER BY Seq";

    /// <summary>Appends <paramref name="entries"/> valid, chained entries in one transaction with one prepared statement.</summary>
    public static TrailStep Build(string path, long entries)
    {
        var started = Stopwatch.GetTimestamp();
        using var c = Open(path);
        (long seq, string hash) = (0, HashChain.Genesis);
        using (var head = c.CreateCommand())
        {
            head.CommandText = "SELECT Seq, Hash FROM audit_entries ORDER BY Seq DESC LIMIT 1";
            using var r = head.ExecuteReader();
            if (r.Read()) (seq, hash) = (r.GetInt64(0), r.GetString(1));
        }
        using var tx = c.BeginTransaction();
        using var insert = c.CreateCommand();
        insert.CommandText = "INSERT INTO audit_entries (Seq, At, ActorId, ActorName, Action, BoardId, ProposalId, Data, PrevHash, Hash) " +
            "VALUES ($seq, $at, $actorId, $actorName, $action, $boardId, $proposalId, $data, $prevHash, $hash)";
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "$seq", "$at", "$actorId", "$actorName", "$action", "$boardId", "$proposalId", "$data", "$prevHash", "$hash" })
            p[name] = insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        insert.Prepare();

        var random = new Random(42);
        var boards = Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7()).ToArray();
        var actors = Enumerable.Range(0, 40).Select(i => new Actor(Guid.CreateVersion7(), $"Member {i:D2}")).ToArray();
        var start = DateTimeOffset.UtcNow.AddDays(-400);
        var proposal = Guid.Empty;
        var board = boards[0];
        for (long i = 0; i < entries; i++)
        {
            // The life of a proposal, over and over: posted, three approvals, executed.
            var step = (int)(i % 5);
            if (step == 0) (proposal, board) = (Guid.CreateVersion7(), boards[random.Next(boards.Length)]);
            var (action, data) = step switch
            {
                0 => (TrailActions.ProposalPosted, new JsonObject { ["title"] = $"Proposal {i / 5}: restock the cold aisle before 9", ["approvalsRequired"] = 3, ["approverRole"] = "operations" }),
                4 => (TrailActions.ProposalExecuted, new JsonObject { ["approvals"] = 3 }),
                _ => (TrailActions.ApprovalAdded, new JsonObject { ["count"] = step, ["required"] = 3, ["textHash"] = new string('a', 64) }),
            };
            var entry = AuditEntry.Append(seq, hash, new TrailFact(action, actors[random.Next(actors.Length)], start.AddSeconds(i * 30), board, proposal, data));
            p["$seq"].Value = entry.Seq;
            p["$at"].Value = entry.At.ToUnixTimeMilliseconds();
            p["$actorId"].Value = (object?)entry.ActorId?.ToString().ToUpperInvariant() ?? DBNull.Value;
            p["$actorName"].Value = entry.ActorName;
            p["$action"].Value = entry.Action;
            p["$boardId"].Value = (object?)entry.BoardId?.ToString().ToUpperInvariant() ?? DBNull.Value;
            p["$proposalId"].Value = (object?)entry.ProposalId?.ToString().ToUpperInvariant() ?? DBNull.Value;
            p["$data"].Value = entry.Data;
            p["$prevHash"].Value = entry.PrevHash;
            p["$hash"].Value = entry.Hash;
            insert.ExecuteNonQuery();
            (seq, hash) = (entry.Seq, entry.Hash);
        }
        tx.Commit();
        return Step("build", seq, started, $"{entries:N0} appended, head {seq}");
    }

    /// <summary>Recomputes the chain over a streaming reader, as <c>GET /api/audit/verify</c> does.</summary>
    public static TrailStep Verify(string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var c = Open(path);
        var verifier = new HashChain.Verifier();
        foreach (var entry in Read(c))
            if (!verifier.Add(entry)) break;
        return Step("verify", verifier.Count, started, verifier.FirstInvalidSeq is null ? "valid" : $"invalid at {verifier.FirstInvalidSeq}: {verifier.Problem}");
    }

    /// <summary>
    /// Verify from a checkpoint: <paramref name="entries"/> entries (chain and Merkle tree, as the app keeps them), a
    /// signed checkpoint over them already verified, then <paramref name="added"/> new entries. Times the verification
    /// the API does by default: the checkpoint's signature, the stored tree at its size, and only the new entries.
    /// </summary>
    public static async Task<TrailStep> VerifyFromCheckpointAsync(string path, long entries, long added)
    {
        // One fill for both (the checkpoint at the first size is the same whenever it is signed): the tree keeps every size.
        await TrailGenerator.FillAsync(path, entries + added);
        using var key = Board.Web.Trail.TrailKey.Parse(Board.Web.Trail.TrailKey.Generate("bench.board/trail"))!;
        var database = Board.Web.Persistence.BoardDatabase.Of(Board.Web.Persistence.DatabaseProvider.Sqlite,
            new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString(), "");
        byte[] root;
        await using (var snapshot = await Board.Web.Persistence.TrailSnapshot.OpenAsync(database, default))
            root = await Board.Web.Trail.TrailTree.RootAsync(Board.Web.Trail.TrailTree.From(snapshot), entries, default);
        using (var c = Open(path))
        using (var insert = c.CreateCommand())
        {
            insert.CommandText = "INSERT INTO trail_checkpoints (Size, Text, CreatedAt, VerifiedAt) VALUES ($size, $text, $at, $at)";
            insert.Parameters.AddWithValue("$size", entries);
            insert.Parameters.AddWithValue("$text", key.Sign(new Checkpoint(key.Name, entries, root).Body()));
            insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
        }

        var started = Stopwatch.GetTimestamp();
        var result = await Board.Web.Trail.TrailVerifier.CheckAsync(database, new Board.Web.Trail.TrailCheck(Key: key.Verifier, Full: false), default);
        var step = Step("verify from checkpoint", result.Count, started,
            result.Valid ? $"valid: {result.Count:N0} new entries after the checkpoint at {result.VerifiedFrom:N0}, head {result.HeadSeq:N0}" : $"invalid: {result.Problem}");
        return result.Valid && result.VerifiedFrom == entries ? step : throw new InvalidOperationException(step.Detail);
    }

    /// <summary>Streams the trail to a JSONL file, one entry a line, in the shape the API serves.</summary>
    public static TrailStep Export(string path, string file)
    {
        var started = Stopwatch.GetTimestamp();
        using var c = Open(path);
        long count = 0;
        using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            foreach (var e in Read(c))
            {
                writer.WriteStartObject();
                writer.WriteNumber("seq", e.Seq);
                writer.WriteString("at", HashChain.FormatTime(e.At));
                writer.WriteStartObject("actor");
                if (e.ActorId is { } actor) writer.WriteString("id", actor); else writer.WriteNull("id");
                writer.WriteString("name", e.ActorName);
                writer.WriteEndObject();
                writer.WriteString("action", e.Action);
                if (e.BoardId is { } b) writer.WriteString("boardId", b); else writer.WriteNull("boardId");
                if (e.ProposalId is { } pr) writer.WriteString("proposalId", pr); else writer.WriteNull("proposalId");
                writer.WritePropertyName("data");
                writer.WriteRawValue(e.Data, skipInputValidation: true);
                writer.WriteString("prevHash", e.PrevHash);
                writer.WriteString("hash", e.Hash);
                writer.WriteEndObject();
                writer.Flush();
                stream.WriteByte((byte)'\n');
                writer.Reset();
                count++;
            }
        }
        return Step("export", count, started, $"{new FileInfo(file).Length} bytes");
    }

    private static IEnumerable<AuditEntry> Read(SqliteConnection c)
    {
        using var command = c.CreateCommand();
        command.CommandText = Select;
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            yield return AuditEntry.Restore(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                r.IsDBNull(2) ? null : Guid.Parse(r.GetString(2)), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : Guid.Parse(r.GetString(5)), r.IsDBNull(6) ? null : Guid.Parse(r.GetString(6)),
                r.GetString(7), r.GetString(8), r.GetString(9));
        }
    }

    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static TrailStep Step(string name, long entries, long started, string detail)
    {
        var self = Process.GetCurrentProcess();
        self.Refresh();
        return new TrailStep(name, entries, Stopwatch.GetElapsedTime(started).TotalSeconds, self.PeakWorkingSet64,
            self.TotalProcessorTime.TotalSeconds, detail);
    }
}
