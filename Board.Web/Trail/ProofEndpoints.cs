using Board.Domain;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Trail;

/// <summary>An RFC 9162 inclusion proof of the entry <paramref name="Seq"/> (leaf seq − 1) in the tree of <paramref name="Size"/> entries.</summary>
public sealed record InclusionProofDto(long Seq, long Size, string LeafHash, IReadOnlyList<string> Hashes);

/// <summary>An RFC 9162 consistency proof that the tree of <paramref name="To"/> entries extends that of <paramref name="From"/>.</summary>
public sealed record ConsistencyProofDto(long From, long To, IReadOnlyList<string> Hashes);

/// <summary>
/// What lets someone outside Board check it: the note verifier key and the latest signed checkpoint (anyone), the
/// checkpoints kept, and inclusion and consistency proofs (members). Proofs read O(log n) stored nodes in one snapshot.
/// </summary>
public static class ProofEndpoints
{
    public const int MaxCheckpoints = 100;

    public static IEndpointRouteBuilder MapTrailProof(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/api/audit").WithTags("Trail").AllowAnonymous();
        open.MapGet("/key", Key).WithName("getTrailKey")
            .WithSummary("The note verifier key of the trail's signing key: name+hex key hash+base64(0x01 ‖ Ed25519 public key).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        open.MapGet("/checkpoint", Latest).WithName("getLatestCheckpoint")
            .WithSummary("The latest signed checkpoint (C2SP tlog-checkpoint in a signed note).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");

        var members = app.MapGroup("/api/audit").WithTags("Trail").RequireAuthorization();
        members.MapGet("/checkpoints", List).WithName("listCheckpoints")
            .WithSummary("The checkpoints made after the given tree size, oldest first (at most 100).");
        members.MapGet("/proof/inclusion", Inclusion).WithName("getInclusionProof")
            .WithSummary("The RFC 9162 inclusion proof of the entry seq in the tree of size entries (size defaults to the whole trail).");
        members.MapGet("/proof/consistency", Consistency).WithName("getConsistencyProof")
            .WithSummary("The RFC 9162 consistency proof that the tree of to entries extends the tree of from entries.");
        return app;
    }

    static ContentHttpResult Key(TrailKey key) => TypedResults.Text(key.Verifier.ToString(), "text/plain; charset=utf-8");

    static async Task<Results<ContentHttpResult, NotFound>> Latest(BoardDb db, CancellationToken ct) =>
        await db.Set<TrailCheckpoint>().AsNoTracking().OrderByDescending(c => c.Size).Select(c => c.Text).FirstOrDefaultAsync(ct) is { } text
            ? TypedResults.Text(text, "text/plain; charset=utf-8")
            : TypedResults.NotFound();

    static async Task<Ok<List<CheckpointDto>>> List(long? after, BoardDb db, CancellationToken ct)
    {
        if (after < 0) throw Refusal.Invalid("after", "A tree size is 0 or more.");
        var from = after ?? 0;
        var list = await db.Set<TrailCheckpoint>().AsNoTracking().Where(c => c.Size > from).OrderBy(c => c.Size).Take(MaxCheckpoints).ToListAsync(ct);
        return TypedResults.Ok(list.Select(CheckpointDto.From).ToList());
    }

    static async Task<Ok<InclusionProofDto>> Inclusion(long? seq, long? size, BoardDatabase database, CancellationToken ct)
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(database, ct);
        var treeSize = await TrailTree.SizeAsync(snapshot, ct);
        var n = size ?? treeSize;
        if (seq is not { } s || s < 1) throw Refusal.Invalid("seq", "Give the seq of an entry (1 or more).");
        if (n > treeSize) throw Refusal.Invalid("size", $"The tree has {treeSize} entries; size cannot be more.");
        if (s > n) throw Refusal.Invalid("seq", $"Entry {s} is not in the tree of {n} entries.");
        var load = TrailTree.From(snapshot);
        var (proof, leaf) = await Whole(async () => (await TrailTree.InclusionAsync(load, s - 1, n, ct),
            (await TrailTree.NodesAsync(load, [new MerkleTree.NodeId(0, s - 1)], ct))(new MerkleTree.NodeId(0, s - 1))));
        return TypedResults.Ok(new InclusionProofDto(s, n, Convert.ToBase64String(leaf), [.. proof.Select(Convert.ToBase64String)]));
    }

    static async Task<Ok<ConsistencyProofDto>> Consistency(long? from, long? to, BoardDatabase database, CancellationToken ct)
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(database, ct);
        var treeSize = await TrailTree.SizeAsync(snapshot, ct);
        var second = to ?? treeSize;
        if (from is not { } first || first < 1) throw Refusal.Invalid("from", "Give the size of the earlier tree (1 or more).");
        if (second > treeSize) throw Refusal.Invalid("to", $"The tree has {treeSize} entries; to cannot be more.");
        if (first > second) throw Refusal.Invalid("from", "The earlier tree cannot be larger than the later one.");
        var proof = await Whole(() => TrailTree.ConsistencyAsync(TrailTree.From(snapshot), first, second, ct));
        return TypedResults.Ok(new ConsistencyProofDto(first, second, [.. proof.Select(Convert.ToBase64String)]));
    }

    /// <summary>A stored tree with a node missing (rows removed from the database) is an answer, not a fault: 409, and verify names it.</summary>
    static async Task<T> Whole<T>(Func<Task<T>> prove)
    {
        try
        {
            return await prove();
        }
        catch (TreeIncompleteException e)
        {
            throw new Refusal(RefusalCode.Conflict, $"The stored Merkle tree is incomplete ({e.Message}): run verify, which names the first entry that does not match.");
        }
    }
}
