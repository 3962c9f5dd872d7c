using System.Text;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Web.Trail;

namespace Board.Tests.Trail;

/// <summary>The offline command, run as <c>dotnet run --project Board.Web -- audit …</c> would run it, minus the process.</summary>
[Trait("Kind", "Domain")]
public sealed class AuditCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await AuditCommand.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Verify_ExitsZeroWhenValid_OneWhenTampered()
    {
        using var file = await TrailFile.CreateAsync(12);
        var head = (await file.EntriesAsync())[^1];

        var valid = await RunAsync("verify", "--db", file.Path);
        Assert.Equal(0, valid.Exit);
        Assert.Contains($"valid: 12 entries, head seq=12 hash={head.Hash}", valid.Out);

        await file.DropTriggersAsync();
        await file.ExecAsync("UPDATE audit_entries SET Data = '{}' WHERE Seq = 5");
        var invalid = await RunAsync("verify", "--db", file.Path);
        Assert.Equal(1, invalid.Exit);
        Assert.Contains("INVALID: first invalid seq=5", invalid.Out);
    }

    [Fact]
    public async Task VerifyWithHead_CatchesACutTail_ThatTheChainAloneDoesNot()
    {
        using var file = await TrailFile.CreateAsync(12);
        var head = (await file.EntriesAsync())[^1];
        Assert.Equal(0, (await RunAsync("verify", "--db", file.Path, "--head", head.Hash)).Exit);

        await file.DropTriggersAsync();
        await file.ExecAsync("DELETE FROM audit_entries WHERE Seq > 10");
        Assert.Contains("first invalid seq=11: the stored Merkle tree holds 12 entries", (await RunAsync("verify", "--db", file.Path)).Out);
        await file.RebuildTreeAsync();

        Assert.Equal(0, (await RunAsync("verify", "--db", file.Path)).Exit);
        var hashOnly = await RunAsync("verify", "--db", file.Path, "--head", head.Hash);
        Assert.Equal(1, hashOnly.Exit);
        Assert.Contains("is not in the trail", hashOnly.Out);
        var located = await RunAsync("verify", "--db", file.Path, "--head", head.Hash.ToUpperInvariant(), "--head-seq", "12");
        Assert.Equal(1, located.Exit);
        Assert.Contains("first invalid seq=11", located.Out);
    }

    [Theory]
    [InlineData]
    [InlineData("frobnicate")]
    [InlineData("verify", "--db")]
    [InlineData("verify", "--head", "not-a-hash")]
    [InlineData("verify", "--head-seq", "3")]
    [InlineData("verify", "--colour", "red")]
    [InlineData("verify", "stray")]
    [InlineData("export", "--format", "xml")]
    [InlineData("export", "--action", "proposal.vanished")]
    [InlineData("generate", "--count", "10")] // a bench tool now (Board.Bench generate), not an audit command
    [InlineData("verify", "--provider", "oracle")]
    [InlineData("head", "--provider", "postgres")]
    public async Task BadUsage_ExitsTwo(params string[] args)
    {
        using var file = await TrailFile.CreateAsync(1);
        // Point at a real file so that only the usage is wrong (where --db is not itself the mistake).
        var withDb = args.Length > 1 && !args.Contains("--db") && !args.Contains("--provider") ? [.. args, "--db", file.Path] : args;
        var (exit, _, err) = await RunAsync(withDb);
        Assert.Equal(2, exit);
        if (args.Length > 0) Assert.Contains("audit:", err);
    }

    [Fact]
    public async Task MissingDatabase_ExitsTwo()
    {
        var (exit, _, err) = await RunAsync("verify", "--db", Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".db"));
        Assert.Equal(2, exit);
        Assert.Contains("no database", err);
    }

    [Fact]
    public async Task ExportJsonl_EveryLineRecomputesItsHash_AndTheLastCarriesTheHead()
    {
        using var file = await TrailFile.CreateAsync(30);
        var entries = await file.EntriesAsync();
        var output = file.Path + ".jsonl";

        var (exit, _, err) = await RunAsync("export", "--db", file.Path, "--format", "jsonl", "--out", output);

        Assert.Equal(0, exit);
        Assert.Contains("exported 30 entries", err);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(31, lines.Length);
        var verifier = new HashChain.Verifier();
        foreach (var line in lines[..^1])
        {
            var row = JsonDocument.Parse(line).RootElement;
            Assert.Equal(TrailExport.Columns, row.EnumerateObject().Select(p => p.Name));
            Assert.True(verifier.Add(FromJson(row)), verifier.Problem);
        }
        var head = JsonDocument.Parse(lines[^1]).RootElement.GetProperty("head");
        Assert.Equal(entries[^1].Seq, head.GetProperty("seq").GetInt64());
        Assert.Equal(entries[^1].Hash, head.GetProperty("hash").GetString());
        Assert.Equal(entries[^1].Hash, verifier.HeadHash);
    }

    [Fact]
    public async Task ExportCsv_Filtered_QuotesWhatNeedsIt_AndRecomputesEveryHash()
    {
        using var file = await TrailFile.CreateAsync(40);
        var entries = await file.EntriesAsync();
        var board = entries[0].BoardId!.Value;
        var output = file.Path + ".csv";

        var (exit, _, _) = await RunAsync("export", "--db", file.Path, "--out", output, "--board", board.ToString(), "--after", "3");

        Assert.Equal(0, exit);
        var lines = (await File.ReadAllTextAsync(output)).Split("\r\n");
        Assert.Equal(string.Join(',', TrailExport.Columns), lines[0]);
        Assert.Equal("", lines[^1]);
        Assert.Equal($"# head seq=40 hash={entries[^1].Hash}", lines[^2]);
        var rows = lines[1..^2].Select(ParseCsv).ToList();
        Assert.Equal(entries.Where(e => e.BoardId == board && e.Seq > 3).Select(e => e.Seq), rows.Select(r => long.Parse(r[0])));
        foreach (var r in rows)
        {
            var e = AuditEntry.Restore(long.Parse(r[0]), DateTimeOffset.Parse(r[1]), Guid.Parse(r[2]), r[3], r[4],
                Guid.Parse(r[5]), Guid.Parse(r[6]), r[7], r[8], r[9]);
            Assert.Equal(r[9], HashChain.Compute(e));
        }
    }

    internal static AuditEntry FromJson(JsonElement row)
    {
        static Guid? Id(JsonElement v) => v.ValueKind == JsonValueKind.Null ? null : v.GetGuid();
        return AuditEntry.Restore(row.GetProperty("seq").GetInt64(), row.GetProperty("at").GetDateTimeOffset(),
            Id(row.GetProperty("actorId")), row.GetProperty("actorName").GetString()!, row.GetProperty("action").GetString()!,
            Id(row.GetProperty("boardId")), Id(row.GetProperty("proposalId")), row.GetProperty("data").GetRawText(),
            row.GetProperty("prevHash").GetString()!, row.GetProperty("hash").GetString()!);
    }

    /// <summary>An RFC 4180 line reader, independent of the writer under test.</summary>
    internal static List<string> ParseCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        Assert.Equal(TrailExport.Columns.Count, fields.Count);
        return fields;
    }
}
