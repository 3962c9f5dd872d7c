using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.Data.Sqlite;

namespace Board.Tests.Trail;

/// <summary>
/// Someone with the SQLite file changes stored trail rows at random — flipped bits, NULLs, values of another type,
/// values that no longer parse, swapped and removed rows — with the triggers dropped and the table rebuilt without
/// its constraints, so nothing stops them. Each of 1,000 changes, on its own copy of the file, must be named by the
/// verifier (the one behind <c>/api/audit/verify</c>) and by the offline <c>audit verify</c> command: the entry where
/// the trail first goes wrong is the changed one (by its original seq, or the seq it now carries), never an exception.
/// </summary>
[Trait("Kind", "Domain")]
public sealed class TamperFuzzTests
{
    private const int Entries = 20;
    private const int Changes = 1_000;
    private static readonly string[] Columns = ["Seq", "At", "ActorId", "ActorName", "Action", "BoardId", "ProposalId", "Data", "PrevHash", "Hash"];

    [Fact]
    public async Task ThousandRandomChanges_AreEachNamed_ByVerifyAndByTheOfflineCommand()
    {
        using var source = await TrailFile.CreateAsync(Entries);
        var original = await source.EntriesAsync();
        var head = original[^1];
        await LoosenAsync(source);
        var pristine = await File.ReadAllBytesAsync(source.Path);
        var folder = Directory.CreateTempSubdirectory("board-fuzz-").FullName;
        var random = new Random(20261125);
        var failures = new List<string>();
        var kinds = new Dictionary<string, int>();
        try
        {
            var done = 0;
            for (var attempt = 0; done < Changes && attempt < Changes * 3; attempt++)
            {
                var path = Path.Combine(folder, $"case-{attempt % 8}.db");
                await File.WriteAllBytesAsync(path, pristine);
                var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, ForeignKeys = false }.ToString();
                string description;
                HashSet<long> named;
                await using (var connection = new SqliteConnection(connectionString))
                {
                    await connection.OpenAsync();
                    var before = await SnapshotAsync(connection);
                    (description, named) = await TamperAsync(connection, random);
                    if (await SnapshotAsync(connection) == before) continue; // the "change" changed nothing (a NULL set to NULL)
                }
                done++;
                var kind = description.Split(' ')[0];
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;

                try
                {
                    var result = await TrailVerifier.VerifyAsync(BoardDatabase.Of(DatabaseProvider.Sqlite, connectionString, Path.GetDirectoryName(path)!), new ExpectedHead(head.Seq, head.Hash), default);
                    if (result.Valid || result.FirstInvalidSeq is not { } seq || !named.Contains(seq))
                        failures.Add($"{description}: verify said valid={result.Valid} first={result.FirstInvalidSeq} ({result.Problem})");
                }
                catch (Exception e)
                {
                    failures.Add($"{description}: verify threw {e.GetType().Name}: {e.Message}");
                }

                using var stdout = new StringWriter();
                using var stderr = new StringWriter();
                var exit = await AuditCommand.RunAsync(["verify", "--db", path, "--head", head.Hash, "--head-seq", head.Seq.ToString()], stdout, stderr, default);
                var said = stdout.ToString();
                if (exit != AuditCommand.Invalid || !named.Any(s => said.Contains($"first invalid seq={s}:", StringComparison.Ordinal)))
                    failures.Add($"{description}: audit verify exited {exit}: {said.Trim()} {stderr.ToString().Trim()}");
                SqliteConnection.ClearAllPools();
            }
            Assert.Equal(Changes, done);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Changes} changes not named:\n" + string.Join("\n", failures.Take(30)));
        Assert.True(kinds.Count >= 6, string.Join(", ", kinds));
    }

    /// <summary>What an attacker with the file does first: no triggers, and a table that takes any value of any type.</summary>
    private static async Task LoosenAsync(TrailFile file)
    {
        await file.DropTriggersAsync();
        await file.ExecAsync($"""
            PRAGMA foreign_keys=OFF;
            CREATE TABLE loose ({string.Join(", ", Columns)});
            INSERT INTO loose SELECT {string.Join(", ", Columns)} FROM audit_entries ORDER BY Seq;
            DROP TABLE audit_entries;
            ALTER TABLE loose RENAME TO audit_entries;
            PRAGMA wal_checkpoint(TRUNCATE);
            PRAGMA journal_mode=DELETE;
            VACUUM;
            """);
        SqliteConnection.ClearAllPools();
    }

    private static async Task<string> SnapshotAsync(SqliteConnection c) =>
        string.Join("\n", await QueryAsync(c, $"SELECT {string.Join(" || '|' || ", Columns.Select(col => $"quote({col})"))} FROM audit_entries ORDER BY rowid"));

    /// <summary>One random change; returns what it was and the seqs that may name it.</summary>
    private static async Task<(string, HashSet<long>)> TamperAsync(SqliteConnection c, Random random)
    {
        var seq = random.NextInt64(1, Entries + 1);
        var column = Columns[random.Next(Columns.Length)];
        var named = new HashSet<long> { seq };
        switch (random.Next(7))
        {
            case 0 or 1:
                {
                    var type = (await QueryAsync(c, $"SELECT typeof({column}) FROM audit_entries WHERE Seq = {seq}"))[0];
                    if (type == "integer")
                    {
                        var value = long.Parse((await QueryAsync(c, $"SELECT {column} FROM audit_entries WHERE Seq = {seq}"))[0]);
                        var flipped = value ^ (1L << random.Next(64));
                        await ExecAsync(c, $"UPDATE audit_entries SET {column} = {flipped} WHERE Seq = {seq}");
                        if (column == "Seq") named.Add(flipped);
                        return ($"flip {column} of {seq}: {value} -> {flipped}", named);
                    }
                    if (type != "text") goto case 2;
                    var bytes = await BytesAsync(c, column, seq);
                    var at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    await ExecAsync(c, $"UPDATE audit_entries SET {column} = CAST($v AS TEXT) WHERE Seq = {seq}", bytes);
                    return ($"flip {column} of {seq} at byte {at}", named);
                }
            case 2:
                await ExecAsync(c, $"UPDATE audit_entries SET {column} = NULL WHERE Seq = {seq}");
                return ($"null {column} of {seq}", named);
            case 3:
                {
                    var (sql, label) = random.Next(4) switch
                    {
                        0 => ("42", "integer"),
                        1 => ("1.5", "real"),
                        2 => ($"CAST({column} AS BLOB)", "blob of its bytes"),
                        _ => ("'42'", "text"),
                    };
                    var newSeq = (await QueryAsync(c, $"SELECT {sql} FROM audit_entries WHERE Seq = {seq}"))[0];
                    await ExecAsync(c, $"UPDATE audit_entries SET {column} = {sql} WHERE Seq = {seq}");
                    if (column == "Seq" && double.TryParse(newSeq, System.Globalization.CultureInfo.InvariantCulture, out var n)) named.Add((long)Math.Floor(n));
                    return ($"type {column} of {seq} to {label}", named);
                }
            case 4:
                {
                    var value = column switch
                    {
                        "Data" => "'{\"note\":'",
                        "At" or "Seq" => "'yesterday'",
                        "ActorId" or "BoardId" or "ProposalId" => "'zz-not-an-id'",
                        _ => "'\u202E" + "xyz'",
                    };
                    await ExecAsync(c, $"UPDATE audit_entries SET {column} = {value} WHERE Seq = {seq}");
                    return ($"garble {column} of {seq} to {value}", named);
                }
            case 5:
                {
                    var other = random.NextInt64(1, Entries + 1);
                    if (other == seq) other = seq % Entries + 1;
                    named.Add(other);
                    await ExecAsync(c, $"UPDATE audit_entries SET Seq = -999 WHERE Seq = {seq}; UPDATE audit_entries SET Seq = {seq} WHERE Seq = {other}; UPDATE audit_entries SET Seq = {other} WHERE Seq = -999;");
                    return ($"swap {seq} and {other}", named);
                }
            default:
                await ExecAsync(c, $"DELETE FROM audit_entries WHERE Seq = {seq}");
                return ($"remove {seq}", named);
        }
    }

    private static async Task<List<string>> QueryAsync(SqliteConnection c, string sql)
    {
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.IsDBNull(0) ? "" : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return rows;
    }

    private static async Task<byte[]> BytesAsync(SqliteConnection c, string column, long seq)
    {
        await using var command = c.CreateCommand();
        command.CommandText = $"SELECT CAST({column} AS BLOB) FROM audit_entries WHERE Seq = {seq}";
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecAsync(SqliteConnection c, string sql, byte[]? value = null)
    {
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        if (value is not null) command.Parameters.AddWithValue("$v", value);
        await command.ExecuteNonQueryAsync();
    }
}
