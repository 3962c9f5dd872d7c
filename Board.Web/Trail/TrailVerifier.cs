using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Trail;

public static class TrailVerifier
{
    /// <summary>Recomputes the whole chain, streaming, and names the first entry that does not match.</summary>
    public static async Task<VerifyResult> VerifyAsync(BoardDb db, CancellationToken ct)
    {
        var verifier = new HashChain.Verifier();
        await foreach (var entry in db.Trail.AsNoTracking().OrderBy(e => e.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!verifier.Add(entry)) break;
        }
        return new VerifyResult(verifier.FirstInvalidSeq is null, verifier.Count, verifier.HeadSeq, verifier.HeadHash,
            verifier.FirstInvalidSeq, verifier.Problem);
    }
}
