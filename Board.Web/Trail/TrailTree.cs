using System.Data.Common;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Trail;

/// <summary>Reads stored Merkle nodes by key: from the unit of work or from a read snapshot.</summary>
public delegate Task<Dictionary<long, byte[]>> NodeLoader(IReadOnlyCollection<long> keys, CancellationToken ct);

/// <summary>The stored tree does not hold a node it should: it disagrees with the chain, or was never built.</summary>
public sealed class TreeIncompleteException(string message) : Exception(message);

/// <summary>
/// Keeps the trail's Merkle tree next to the chain: inside every commit, after the entries are chained, it adds their
/// leaves and the interior nodes they complete, so the tree and the chain commit together or not at all. Proofs read
/// O(log n) nodes. A tree found behind the chain (an installation from before the tree) is caught up in that commit.
/// </summary>
public sealed class TrailTree(ILogger<TrailTree> log) : ICommitObserver
{
    private const int CatchUpBatch = 5000;

    /// <summary>Rows of one INSERT of new nodes: two parameters each, far below either database's limit.</summary>
    private const int RowsPerInsert = 200;

    /// <summary>
    /// The right edge (frontier) of the tree after the last commit this instance made, with the hash of the entry it
    /// ends at. A chain's last hash fixes every entry before it, and so the tree's edge: when the next commit appends
    /// to that very entry (no other instance wrote in between) the edge is taken from here instead of read.
    /// </summary>
    private sealed record Edge(long Size, string HeadHash, Dictionary<long, byte[]> Nodes);

    private volatile Edge? _edge;

    public async ValueTask CommittingAsync(BoardDb db, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        var size = entries[0].Seq - 1;
        var builder = _edge is { } edge && edge.Size == size && edge.HeadHash == entries[0].PrevHash
            ? new MerkleTree.Builder(size, id => edge.Nodes[id.Key])
            : await CurrentAsync(db, size, ct) ?? await BuilderAtAsync(db, size, ct);
        var nodes = new List<(MerkleTree.NodeId Id, byte[] Hash)>();
        foreach (var entry in entries) nodes.AddRange(builder.Append(MerkleTree.LeafOfHash(entry.Hash)));
        Insert(db, nodes);
        // Kept before the commit is known to succeed: keyed by the last entry's hash, it is only ever used for a chain
        // ending in that entry, whose tree it is whoever commits it.
        _edge = new Edge(builder.Size, entries[^1].Hash, builder.Edge.ToDictionary(n => n.Id.Key, n => n.Hash));
    }

    /// <summary>
    /// The builder at <paramref name="size"/> in one read, when the stored tree is exactly that size — the case of every
    /// commit but the first after an upgrade or a cut: the frontier of <paramref name="size"/> is stored (so the tree
    /// holds at least that many leaves) and the next leaf is not (leaves are added in order, so it holds no more).
    /// Null otherwise: <see cref="BuilderAtAsync"/> finds out what is stored and repairs it.
    /// </summary>
    private static async Task<MerkleTree.Builder?> CurrentAsync(BoardDb db, long size, CancellationToken ct)
    {
        var frontier = MerkleTree.Frontier(size);
        var next = new MerkleTree.NodeId(0, size).Key;
        var found = await From(db)([.. frontier.Select(id => id.Key).Append(next)], ct);
        if (found.ContainsKey(next) || frontier.Any(id => !found.ContainsKey(id.Key))) return null;
        return new MerkleTree.Builder(size, id => found[id.Key]);
    }

    /// <summary>
    /// The new nodes in as few statements as the rows allow: EF Core's SQLite provider would send one command per node;
    /// the turn sends them itself (<see cref="SqliteBoardDb.WriteInTurn"/>).
    /// On PostgreSQL they are tracked instead: the save sends them in its one batch with the rest of the write.
    /// </summary>
    private static void Insert(BoardDb db, List<(MerkleTree.NodeId Id, byte[] Hash)> nodes)
    {
        if (db is not SqliteBoardDb sqlite)
        {
            foreach (var (id, hash) in nodes) db.Set<TrailNode>().Add(TrailNode.Of(id, hash));
            return;
        }
        foreach (var chunk in nodes.Chunk(RowsPerInsert))
        {
            // Only parameter names are joined into the text; every value goes in as a parameter.
            var sql = "INSERT INTO \"trail_nodes\" (\"Id\", \"Hash\") VALUES " + string.Join(", ", chunk.Select((_, i) => $"($p{2 * i}, $p{2 * i + 1})"));
            sqlite.WriteInTurn(sql, chunk.SelectMany((n, i) => new[] { new SqliteParameter($"$p{2 * i}", n.Id.Key), new SqliteParameter($"$p{2 * i + 1}", n.Hash) }));
        }
    }

    // The nodes are written with the entries; nothing is left to do once they are committed.
    public void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Board.Domain.Proposals.Proposal> proposals) { }

    /// <summary>A builder holding the tree of the first <paramref name="size"/> entries, catching the stored tree up first.</summary>
    public async Task<MerkleTree.Builder> BuilderAtAsync(BoardDb db, long size, CancellationToken ct)
    {
        var stored = await SizeAsync(db, ct);
        if (stored > size)
        {
            // Leaves for entries that are no longer there: the chain was cut. Keep the tree to the chain; the
            // checkpoints kept outside are what tell that it happened.
            log.LogWarning("The trail's Merkle tree holds {Stored} leaves but the trail ends at seq {Size}: dropping the leaves beyond it.", stored, size);
            var keys = await db.Set<TrailNode>().Select(n => n.Id).ToListAsync(ct);
            var beyond = keys.Where(k => MerkleTree.NodeId.FromKey(k).End > size).ToList();
            await db.Set<TrailNode>().Where(n => beyond.Contains(n.Id)).ExecuteDeleteAsync(ct);
            stored = size;
        }
        var builder = new MerkleTree.Builder(stored, await NodesAsync(From(db), MerkleTree.Frontier(stored), ct));
        if (stored < size)
        {
            log.LogInformation("Adding {Count} trail entries to the Merkle tree.", size - stored);
            while (builder.Size < size)
            {
                var from = builder.Size;
                var hashes = await db.Trail.AsNoTracking().Where(e => e.Seq > from && e.Seq <= size).OrderBy(e => e.Seq)
                    .Take(CatchUpBatch).Select(e => e.Hash).ToListAsync(ct);
                if (hashes.Count == 0) throw new TreeIncompleteException($"entries after seq {from} are missing");
                foreach (var hash in hashes) Add(db, builder, hash);
            }
        }
        return builder;
    }

    private static void Add(BoardDb db, MerkleTree.Builder builder, string entryHash)
    {
        foreach (var (id, hash) in builder.Append(MerkleTree.LeafOfHash(entryHash))) db.Set<TrailNode>().Add(TrailNode.Of(id, hash));
    }

    /// <summary>Leaves in the stored tree: one more than the highest leaf key.</summary>
    public static async Task<long> SizeAsync(BoardDb db, CancellationToken ct) =>
        (await db.Set<TrailNode>().Where(n => n.Id < MerkleTree.NodeId.FirstNonLeafKey).MaxAsync(n => (long?)n.Id, ct) ?? -1) + 1;

    /// <inheritdoc cref="SizeAsync(BoardDb, CancellationToken)"/>
    public static async Task<long> SizeAsync(TrailSnapshot snapshot, CancellationToken ct)
    {
        await using var command = snapshot.Command("SELECT MAX(\"Id\") FROM trail_nodes WHERE \"Id\" < @first");
        snapshot.Add(command, "first", MerkleTree.NodeId.FirstNonLeafKey);
        return await command.ExecuteScalarAsync(ct) is long max ? max + 1 : 0;
    }

    // Compiled once: every commit reads the tree's right edge with it under the write lock.
    private static readonly CompiledQuery<Func<BoardDb, long[], IAsyncEnumerable<TrailNode>>> NodesIn = new(() => EF.CompileAsyncQuery(
        (BoardDb db, long[] keys) => db.Set<TrailNode>().AsNoTracking().Where(n => keys.Contains(n.Id))));

    public static NodeLoader From(BoardDb db) => async (keys, ct) =>
    {
        var found = new Dictionary<long, byte[]>(keys.Count);
        await foreach (var node in NodesIn.For(db)(db, [.. keys]).WithCancellation(ct)) found[node.Id] = node.Hash;
        return found;
    };

    public static NodeLoader From(TrailSnapshot snapshot) => async (keys, ct) =>
    {
        var result = new Dictionary<long, byte[]>();
        if (keys.Count == 0) return result;
        await using var command = snapshot.Command("");
        var names = new List<string>();
        foreach (var key in keys)
        {
            var name = "k" + names.Count;
            names.Add("@" + name);
            snapshot.Add(command, name, key);
        }
        command.CommandText = $"SELECT \"Id\", \"Hash\" FROM trail_nodes WHERE \"Id\" IN ({string.Join(", ", names)})";
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetInt64(0)] = (byte[])reader.GetValue(1);
        return result;
    };

    /// <summary>The stored hashes of <paramref name="ids"/>, as a lookup the tree algorithms take.</summary>
    public static async Task<Func<MerkleTree.NodeId, byte[]>> NodesAsync(NodeLoader load, IEnumerable<MerkleTree.NodeId> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        var found = await load([.. wanted.Select(i => i.Key)], ct);
        foreach (var id in wanted)
            if (!found.ContainsKey(id.Key)) throw new TreeIncompleteException($"the stored tree has no node at level {id.Level}, index {id.Index}");
        return id => found[id.Key];
    }

    public static async Task<byte[]> RootAsync(NodeLoader load, long size, CancellationToken ct) =>
        MerkleTree.Root(size, await NodesAsync(load, MerkleTree.NodesFor(n => MerkleTree.Root(size, n)), ct));

    public static async Task<List<byte[]>> InclusionAsync(NodeLoader load, long index, long size, CancellationToken ct) =>
        MerkleTree.InclusionProof(index, size, await NodesAsync(load, MerkleTree.NodesFor(n => MerkleTree.InclusionProof(index, size, n)), ct));

    public static async Task<List<byte[]>> ConsistencyAsync(NodeLoader load, long first, long second, CancellationToken ct) =>
        MerkleTree.ConsistencyProof(first, second, await NodesAsync(load, MerkleTree.NodesFor(n => MerkleTree.ConsistencyProof(first, second, n)), ct));

    /// <summary>The tree of <paramref name="size"/> leaves as its frontier, to append to while streaming entries.</summary>
    public static async Task<MerkleTree.Builder> BuilderAsync(NodeLoader load, long size, CancellationToken ct) =>
        new(size, await NodesAsync(load, MerkleTree.Frontier(size), ct));
}
