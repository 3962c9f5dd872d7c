using System.Globalization;
using Board.Domain.Trail;
using Board.Web.Persistence;

namespace Board.Web.Trail;

/// <summary>
/// A head written down earlier: the trail must still contain it. <see cref="Seq"/> is optional; with it,
/// a truncation or a rewrite is located, without it only detected.
/// </summary>
public sealed record ExpectedHead(long? Seq, string Hash);

/// <summary>
/// What a verification checks besides the chain: a head given earlier, a checkpoint kept outside Board, the key the
/// checkpoints must be signed with (null: their signatures are not checked), and whether to recompute everything
/// (<see cref="Full"/>) or start from the last checkpoint a verification already found whole.
/// </summary>
public sealed record TrailCheck(ExpectedHead? Expected = null, Checkpoint? Outside = null, NoteVerifier? Key = null, bool Full = true)
{
    public static readonly TrailCheck Everything = new();
}

/// <summary>
/// The one verification the API and the offline command share. In one read snapshot it recomputes the chain (all of
/// it, or only the entries after the last verified checkpoint), streaming, and names the first entry that does not
/// match; it recomputes the Merkle tree alongside and checks it against the stored tree and every checkpoint it
/// passes (kept ones and one from outside), which catches what the chain alone cannot: a cut tail, or a history
/// rewritten and re-hashed consistently.
/// </summary>
public static class TrailVerifier
{
    public static async Task<VerifyResult> VerifyAsync(BoardDatabase database, ExpectedHead? expected, CancellationToken ct) =>
        await CheckAsync(database, new TrailCheck(expected), ct);

    public static async Task<VerifyResult> CheckAsync(BoardDatabase database, TrailCheck check, CancellationToken ct)
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(database, ct);
        return await CheckAsync(snapshot, check, ct);
    }

    public static Task<VerifyResult> VerifyAsync(TrailSnapshot tx, ExpectedHead? expected, CancellationToken ct) =>
        CheckAsync(tx, new TrailCheck(expected), ct);

    public static async Task<VerifyResult> CheckAsync(TrailSnapshot tx, TrailCheck check, CancellationToken ct)
    {
        var expected = check.Expected;
        var kept = await KeptCheckpointsAsync(tx, check.Key, ct);
        if (kept.FirstOrDefault(k => k.Checkpoint is null) is { } unsigned)
            return new VerifyResult(false, 0, 0, HashChain.Genesis, unsigned.Size,
                $"the checkpoint kept at size {unsigned.Size} is not signed by the trail key");

        // Where to start: the last checkpoint a verification found whole, unless asked for everything.
        var start = check.Full || expected is not null ? null
            : kept.LastOrDefault(k => k.Verified && (check.Outside is null || k.Size <= check.Outside.Size))?.Checkpoint;
        var load = TrailTree.From(tx);
        HashChain.Verifier verifier;
        MerkleTree.Builder builder;
        if (start is null)
        {
            verifier = new HashChain.Verifier();
            builder = new MerkleTree.Builder();
        }
        else
        {
            var (from, problem) = await StartAtAsync(tx, load, start, ct);
            if (from is null) return new VerifyResult(false, 0, 0, HashChain.Genesis, start.Size, problem);
            verifier = from.Value.Verifier;
            builder = from.Value.Builder;
        }
        var verifiedFrom = start?.Size ?? 0;

        var checkpoints = kept.Where(k => k.Size > verifiedFrom).Select(k => k.Checkpoint!).ToList();
        if (check.Outside is { } outside && outside.Size > verifiedFrom) checkpoints.Add(outside);
        var pending = new Queue<Checkpoint>(checkpoints.OrderBy(c => c.Size));
        long? matched = start?.Size;

        // A tree behind the chain is one the next commit catches up (entries added before the tree existed, or
        // outside Board): its part must still be the tree of those entries.
        var treeSize = await TrailTree.SizeAsync(tx, ct);
        var rootAtTreeSize = builder.Size == treeSize ? builder.Root() : null;
        string? hashAtExpectedSeq = null;
        long? seqOfExpectedHash = null;
        try
        {
            await foreach (var entry in TrailReader.ReadAsync(tx, new TrailFilter(After: verifiedFrom), long.MaxValue, ct))
            {
                if (!Add(verifier, entry)) break;
                builder.Append(MerkleTree.LeafOf(entry));
                if (builder.Size == treeSize) rootAtTreeSize = builder.Root();
                while (pending.Count > 0 && pending.Peek().Size == builder.Size)
                {
                    var checkpoint = pending.Dequeue();
                    if (!builder.Root().AsSpan().SequenceEqual(checkpoint.Root))
                        return Result(verifier, false, null, $"the trail up to seq {checkpoint.Size} does not have the root of the checkpoint at size {checkpoint.Size}: history up to it was rewritten", verifiedFrom, matched);
                    matched = checkpoint.Size;
                }
                if (expected is null) continue;
                if (entry.Seq == expected.Seq) hashAtExpectedSeq = entry.Hash;
                if (string.Equals(entry.Hash, expected.Hash, StringComparison.OrdinalIgnoreCase)) seqOfExpectedHash = entry.Seq;
            }
        }
        catch (CorruptEntryException e)
        {
            // Entries before it were checked; one missing right before it is the first thing wrong.
            return Result(verifier, false, Math.Min(e.Seq, verifier.HeadSeq + 1), e.Message, verifiedFrom, matched);
        }
        if (verifier.FirstInvalidSeq is { } broken) return Result(verifier, false, broken, verifier.Problem, verifiedFrom, matched);
        if (pending.Count > 0)
            return Result(verifier, false, verifier.HeadSeq + 1,
                $"the trail ends at seq {verifier.HeadSeq}, before the checkpoint at size {pending.Peek().Size}: entries were removed", verifiedFrom, matched);

        // The stored tree must be the tree of the chain just read: proofs are served from it.
        if (treeSize > verifier.HeadSeq)
            return Result(verifier, false, verifier.HeadSeq + 1,
                $"the stored Merkle tree holds {treeSize} entries but the trail ends at seq {verifier.HeadSeq}: entries were removed", verifiedFrom, matched);
        if (rootAtTreeSize is null || !await StoredRootMatchesAsync(load, treeSize, rootAtTreeSize, ct))
            return Result(verifier, false, await FirstLeafMismatchAsync(tx, verifiedFrom, ct),
                "the stored Merkle tree disagrees with the chain", verifiedFrom, matched);

        if (expected is null || seqOfExpectedHash is { } found && (expected.Seq is null || expected.Seq == found)
            || expected.Hash == HashChain.Genesis && expected.Seq is null or 0)
            return Result(verifier, true, null, null, verifiedFrom, matched);

        var (seq, headProblem) = expected.Seq switch
        {
            { } s when s > verifier.HeadSeq => ((long?)verifier.HeadSeq + 1,
                $"the trail ends at seq {verifier.HeadSeq}, before the given head at seq {s}: entries were removed"),
            { } s => (s, hashAtExpectedSeq is null
                ? $"the given head hash is not in the trail"
                : $"the entry at seq {s} carries hash {hashAtExpectedSeq}, not the given head {expected.Hash}: history up to seq {s} was rewritten"),
            // Without a seq there is no telling where the history departs from the head, only that it does.
            null => (null, $"the given head {expected.Hash} is not in the trail: history was cut or rewritten; give its seq to locate where"),
        };
        return Result(verifier, false, seq, headProblem, verifiedFrom, matched);
    }

    private sealed record Kept(long Size, Checkpoint? Checkpoint, bool Verified);

    /// <summary>The checkpoints kept in the database, oldest first; one whose signature fails has no <see cref="Kept.Checkpoint"/>.</summary>
    private static async Task<List<Kept>> KeptCheckpointsAsync(TrailSnapshot tx, NoteVerifier? key, CancellationToken ct)
    {
        var list = new List<Kept>();
        await using var command = tx.Command("SELECT \"Size\", \"Text\", \"VerifiedAt\" FROM trail_checkpoints ORDER BY \"Size\"");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var size = reader.GetInt64(0);
            var note = reader.GetString(1);
            var text = key is null ? NoteText(note) : SignedNote.Open(note, key);
            var checkpoint = text is null ? null : Checkpoint.Parse(text);
            list.Add(new Kept(size, checkpoint?.Size == size ? checkpoint : null, !reader.IsDBNull(2)));
        }
        return list;
    }

    /// <summary>The text of a note without checking its signatures (when no key is at hand).</summary>
    private static string? NoteText(string note) => note.LastIndexOf("\n\n", StringComparison.Ordinal) is var i and >= 0 ? note[..(i + 1)] : null;

    /// <summary>
    /// The state after the entries of a checkpoint verified before, at O(log n) cost: the stored tree must still have
    /// its root, and the last entry it covers must be the leaf the checkpoint commits to, which binds the chain's
    /// next link to the signed root.
    /// </summary>
    private static async Task<((HashChain.Verifier Verifier, MerkleTree.Builder Builder)? State, string? Problem)> StartAtAsync(
        TrailSnapshot tx, NodeLoader load, Checkpoint start, CancellationToken ct)
    {
        MerkleTree.Builder builder;
        List<byte[]> proof;
        try
        {
            builder = await TrailTree.BuilderAsync(load, start.Size, ct);
            proof = await TrailTree.InclusionAsync(load, start.Size - 1, start.Size, ct);
        }
        catch (TreeIncompleteException e)
        {
            return (null, $"the stored tree cannot show the checkpoint at size {start.Size}: {e.Message}");
        }
        if (!builder.Root().AsSpan().SequenceEqual(start.Root))
            return (null, $"the stored tree no longer has the root of the checkpoint at size {start.Size}: history up to it was rewritten");
        AuditEntry? last = null;
        await foreach (var entry in TrailReader.ReadAsync(tx, new TrailFilter(After: start.Size - 1), start.Size, ct)) last = entry;
        if (last is null || HashChain.Compute(last) != last.Hash
            || !MerkleTree.VerifyInclusion(start.Size - 1, start.Size, MerkleTree.LeafOf(last), proof, start.Root))
            return (null, $"entry {start.Size.ToString(CultureInfo.InvariantCulture)} is not the one the checkpoint at size {start.Size} signed");
        return ((new HashChain.Verifier(last.Seq, last.Hash), builder), null);
    }

    private static async Task<bool> StoredRootMatchesAsync(NodeLoader load, long size, byte[] root, CancellationToken ct)
    {
        try
        {
            return (await TrailTree.RootAsync(load, size, ct)).AsSpan().SequenceEqual(root);
        }
        catch (TreeIncompleteException)
        {
            return false;
        }
    }

    /// <summary>The first entry after <paramref name="after"/> whose stored leaf is not its hash's leaf, or null (an interior node differs).</summary>
    private static async Task<long?> FirstLeafMismatchAsync(TrailSnapshot tx, long after, CancellationToken ct)
    {
        await using var command = tx.Command("""
            SELECT e."Seq", e."Hash", n."Hash" FROM audit_entries e LEFT JOIN trail_nodes n ON n."Id" = e."Seq" - 1
            WHERE e."Seq" > @after ORDER BY e."Seq"
            """);
        tx.Add(command, "after", after);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (!reader.IsDBNull(2) && !MerkleTree.LeafOfHash(reader.GetString(1)).AsSpan().SequenceEqual((byte[])reader.GetValue(2)))
                return reader.GetInt64(0);
        return null;
    }

    /// <summary>An entry whose data no longer parses breaks the chain there, like any other change.</summary>
    private static bool Add(HashChain.Verifier verifier, AuditEntry entry)
    {
        try
        {
            return verifier.Add(entry);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CorruptEntryException(entry.Seq, $"entry {entry.Seq} cannot be read: its data is not JSON ({e.Message})", e);
        }
    }

    private static VerifyResult Result(HashChain.Verifier v, bool valid, long? firstInvalidSeq, string? problem, long verifiedFrom, long? checkpoint) =>
        new(valid, v.Count, v.HeadSeq, v.HeadHash, firstInvalidSeq, problem, verifiedFrom, checkpoint);
}
