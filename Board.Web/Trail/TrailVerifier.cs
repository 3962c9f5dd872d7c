using Board.Domain.Trail;
using Board.Web.Persistence;

namespace Board.Web.Trail;

/// <summary>
/// A head written down earlier: the trail must still contain it. <see cref="Seq"/> is optional; with it,
/// a truncation or a rewrite is located, without it only detected.
/// </summary>
public sealed record ExpectedHead(long? Seq, string Hash);

/// <summary>
/// The one verification the API and the offline command share: recomputes the whole chain in one read
/// snapshot, streaming, and names the first entry that does not match — then checks it against a head
/// given earlier, which catches what the chain alone cannot: a cut tail, or a suffix forged and re-hashed.
/// </summary>
public static class TrailVerifier
{
    public static async Task<VerifyResult> VerifyAsync(BoardDatabase database, ExpectedHead? expected, CancellationToken ct)
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(database, ct);
        return await VerifyAsync(snapshot, expected, ct);
    }

    public static async Task<VerifyResult> VerifyAsync(TrailSnapshot tx, ExpectedHead? expected, CancellationToken ct)
    {
        var verifier = new HashChain.Verifier();
        string? hashAtExpectedSeq = null;
        long? seqOfExpectedHash = null;
        try
        {
            await foreach (var entry in TrailReader.ReadAsync(tx, TrailFilter.All, long.MaxValue, ct))
            {
                if (!Add(verifier, entry)) break;
                if (expected is null) continue;
                if (entry.Seq == expected.Seq) hashAtExpectedSeq = entry.Hash;
                if (string.Equals(entry.Hash, expected.Hash, StringComparison.OrdinalIgnoreCase)) seqOfExpectedHash = entry.Seq;
            }
        }
        catch (CorruptEntryException e)
        {
            // Entries before it were checked; one missing right before it is the first thing wrong.
            return Result(verifier, false, Math.Min(e.Seq, verifier.HeadSeq + 1), e.Message);
        }
        if (verifier.FirstInvalidSeq is { } broken) return Result(verifier, false, broken, verifier.Problem);
        if (expected is null || seqOfExpectedHash is { } found && (expected.Seq is null || expected.Seq == found)
            || expected.Hash == HashChain.Genesis && expected.Seq is null or 0)
            return Result(verifier, true, null, null);

        var (seq, problem) = expected.Seq switch
        {
            { } s when s > verifier.HeadSeq => ((long?)verifier.HeadSeq + 1,
                $"the trail ends at seq {verifier.HeadSeq}, before the given head at seq {s}: entries were removed"),
            { } s => (s, hashAtExpectedSeq is null
                ? $"the given head hash is not in the trail"
                : $"the entry at seq {s} carries hash {hashAtExpectedSeq}, not the given head {expected.Hash}: history up to seq {s} was rewritten"),
            // Without a seq there is no telling where the history departs from the head, only that it does.
            null => (null, $"the given head {expected.Hash} is not in the trail: history was cut or rewritten; give its seq to locate where"),
        };
        return Result(verifier, false, seq, problem);
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

    private static VerifyResult Result(HashChain.Verifier v, bool valid, long? firstInvalidSeq, string? problem) =>
        new(valid, v.Count, v.HeadSeq, v.HeadHash, firstInvalidSeq, problem);
}
