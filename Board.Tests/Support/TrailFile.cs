extern alias bench;
using bench::Board.Bench;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.Data.Sqlite;

namespace Board.Tests;

/// <summary>A Board database file the test can tamper with directly, as an attacker with file access would.</summary>
public sealed class TrailFile : IDisposable
{
    private readonly string? _folder;

    private TrailFile(string? path)
    {
        _folder = path is null ? Directory.CreateTempSubdirectory("board-trail-").FullName : null;
        Path = path ?? System.IO.Path.Combine(_folder!, "board.db");
    }

    public string Path { get; }

    /// <summary>A fresh database (real migrations and triggers) holding <paramref name="count"/> valid entries.</summary>
    public static async Task<TrailFile> CreateAsync(long count)
    {
        var file = new TrailFile(null);
        await TrailGenerator.FillAsync(file.Path, count);
        return file;
    }

    /// <summary>An existing file, such as the running app's.</summary>
    public static TrailFile Open(string path) => new(path);

    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false, DefaultTimeout = 30 }.ToString();

    public BoardDatabase Database => BoardDatabase.Of(DatabaseProvider.Sqlite, ConnectionString, "");

    public async Task<int> ExecAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>What an attacker with the file does first.</summary>
    public Task DropTriggersAsync() => ExecAsync("""
        DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete; DROP TRIGGER audit_entries_chain;
        """);

    public async Task<List<AuditEntry>> EntriesAsync()
    {
        await using var tx = await TrailSnapshot.OpenAsync(Database, default);
        var list = new List<AuditEntry>();
        await foreach (var e in TrailReader.ReadAsync(tx, TrailFilter.All, long.MaxValue, default)) list.Add(e);
        return list;
    }

    public async Task InsertAsync(AuditEntry e) => await ExecAsync("""
        INSERT INTO audit_entries (Seq, At, ActorId, ActorName, Action, BoardId, ProposalId, Data, PrevHash, Hash)
        VALUES ($seq, $at, $actorId, $actorName, $action, $boardId, $proposalId, $data, $prevHash, $hash)
        """,
        ("$seq", e.Seq), ("$at", e.At.ToUnixTimeMilliseconds()), ("$actorId", e.ActorId?.ToString().ToUpperInvariant()),
        ("$actorName", e.ActorName), ("$action", e.Action), ("$boardId", e.BoardId?.ToString().ToUpperInvariant()),
        ("$proposalId", e.ProposalId?.ToString().ToUpperInvariant()), ("$data", e.Data), ("$prevHash", e.PrevHash), ("$hash", e.Hash));

    /// <summary>
    /// What a careful forger does after changing the chain: drops the Merkle tree and builds it again from the entries,
    /// so that the database agrees with itself and only something kept outside it can tell.
    /// </summary>
    public async Task RebuildTreeAsync()
    {
        var builder = new MerkleTree.Builder();
        var nodes = (await EntriesAsync()).SelectMany(e => builder.Append(MerkleTree.LeafOf(e))).ToList();
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using (var clear = connection.CreateCommand())
        {
            clear.Transaction = tx;
            clear.CommandText = "DELETE FROM trail_nodes";
            await clear.ExecuteNonQueryAsync();
        }
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO trail_nodes (Id, Hash) VALUES ($id, $hash)";
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var hash = insert.Parameters.Add("$hash", SqliteType.Blob);
        foreach (var (nodeId, value) in nodes)
        {
            (id.Value, hash.Value) = (nodeId.Key, value);
            await insert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    public Task<VerifyResult> VerifyAsync(ExpectedHead? head = null) => TrailVerifier.VerifyAsync(Database, head, default);

    public void Dispose()
    {
        if (_folder is null) return;
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
