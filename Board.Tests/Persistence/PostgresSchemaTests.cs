using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Board.Tests.Persistence;

/// <summary>
/// On PostgreSQL the schema is the last line, as on SQLite: the PL/pgSQL triggers refuse UPDATE, DELETE, TRUNCATE
/// and an insert that does not extend the head; the offline command reads and verifies the same database.
/// </summary>
[Trait("Kind", "Api")]
public sealed class PostgresSchemaTests(PostgresBoardApp app) : IClassFixture<PostgresBoardApp>
{
    [Fact]
    public async Task TheDatabase_RefusesUpdateDeleteTruncateAndOutOfChainInserts()
    {
        var entries = await EntriesAsync();
        var update = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync("""UPDATE audit_entries SET "ActorName" = 'x' WHERE "Seq" = 3"""));
        Assert.Contains("append-only: UPDATE refused", update.MessageText);
        var delete = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync("""DELETE FROM audit_entries WHERE "Seq" = 2"""));
        Assert.Contains("append-only: DELETE refused", delete.MessageText);
        // Refused by the trigger, or first by the webhook deliveries' foreign key: either way nothing goes.
        await Assert.ThrowsAsync<PostgresException>(() => ExecAsync("TRUNCATE audit_entries CASCADE"));

        var head = entries[^1];
        var skipping = AuditEntry.Append(head.Seq + 1, head.Hash, Fact());
        var badLink = AuditEntry.Append(head.Seq, entries[^2].Hash, Fact());
        foreach (var wrong in new[] { skipping, badLink })
        {
            var insert = await Assert.ThrowsAsync<PostgresException>(() => InsertAsync(wrong));
            Assert.Contains("does not extend the chain head", insert.MessageText);
            Assert.StartsWith("23", insert.SqlState);
        }
        var right = AuditEntry.Append(head.Seq, head.Hash, Fact());
        await InsertAsync(right);

        var after = await TrailVerifier.VerifyAsync(app.Database, null, default);
        Assert.True(after.Valid, after.Problem);
        Assert.Equal(entries.Count + 1, after.Count);
    }

    [Fact]
    public async Task AuditCommand_OnPostgres_VerifiesExportsAndFindsTampering()
    {
        var flags = new[] { "--provider", "postgres", "--connection", app.Database.ConnectionString };
        var (exit, output, _) = await RunAsync(["verify", .. flags]);
        Assert.True(exit == AuditCommand.Valid, output);
        var head = await RunAsync(["head", .. flags]);
        Assert.Matches("^seq=\\d+ hash=[0-9a-f]{64}", head.Out);
        var outFile = Path.Combine(app.Folder, "trail.jsonl");
        Assert.Equal(AuditCommand.Valid, (await RunAsync(["export", .. flags, "--format", "jsonl", "--out", outFile])).Exit);
        Assert.Contains("\"head\"", File.ReadLines(outFile).Last());

        // An attacker with the database's superuser first switches the triggers off; verify still names the entry.
        var original = (await EntriesAsync()).Single(e => e.Seq == 5).Data;
        const string Rewrite = """
            ALTER TABLE audit_entries DISABLE TRIGGER USER;
            UPDATE audit_entries SET "Data" = @data WHERE "Seq" = 5;
            ALTER TABLE audit_entries ENABLE TRIGGER USER;
            """;
        await ExecAsync(Rewrite, ("data", "{\"title\":\"forged\"}"));
        try
        {
            var tampered = await RunAsync(["verify", .. flags]);
            Assert.Equal(AuditCommand.Invalid, tampered.Exit);
            Assert.Contains("first invalid seq=5", tampered.Out);
        }
        finally
        {
            await ExecAsync(Rewrite, ("data", original));
        }
    }

    private static TrailFact Fact() => new(TrailActions.CommentAdded, new Actor(null, "x"), DateTimeOffset.UtcNow, null, null, []);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await AuditCommand.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<List<AuditEntry>> EntriesAsync()
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(app.Database, default);
        var list = new List<AuditEntry>();
        await foreach (var e in TrailReader.ReadAsync(snapshot, TrailFilter.All, long.MaxValue, default)) list.Add(e);
        return list;
    }

    private async Task ExecAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    private Task InsertAsync(AuditEntry e) => ExecAsync("""
        INSERT INTO audit_entries ("Seq", "At", "ActorId", "ActorName", "Action", "BoardId", "ProposalId", "Data", "PrevHash", "Hash")
        VALUES (@seq, @at, @actorId, @actorName, @action, @boardId, @proposalId, @data, @prevHash, @hash)
        """,
        ("seq", e.Seq), ("at", e.At.ToUnixTimeMilliseconds()), ("actorId", e.ActorId), ("actorName", e.ActorName), ("action", e.Action),
        ("boardId", e.BoardId), ("proposalId", e.ProposalId), ("data", e.Data), ("prevHash", e.PrevHash), ("hash", e.Hash));
}
