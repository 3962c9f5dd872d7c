using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Realtime;

namespace Board.Tests.Realtime;

/// <summary>
/// The board's previous seq of each committed entry, worked out under the write lock without a read: exact while the
/// commits follow one another in this instance, unknown (left to the broadcaster's read) once another instance wrote.
/// </summary>
public sealed class TrailSignalTests
{
    private static readonly Guid A = Guid.NewGuid();
    private static readonly Guid B = Guid.NewGuid();

    private sealed class Chain
    {
        public long Seq { get; private set; }
        public string Hash { get; private set; } = HashChain.Genesis;

        public List<AuditEntry> Append(params Guid?[] boards)
        {
            var entries = new List<AuditEntry>();
            foreach (var board in boards)
            {
                var entry = AuditEntry.Append(Seq, Hash, new TrailFact(TrailActions.CommentAdded, new Actor(null, "x"), DateTimeOffset.UnixEpoch, board, null, []));
                (Seq, Hash) = (entry.Seq, entry.Hash);
                entries.Add(entry);
            }
            return entries;
        }
    }

    private static async Task<IReadOnlyDictionary<long, long>> CommitAsync(TrailSignal signal, List<AuditEntry> entries)
    {
        await signal.CommittingAsync(null!, entries, CancellationToken.None);
        signal.Committed(entries, []);
        Assert.True(signal.Commits.TryRead(out var commit));
        return commit.BoardPrevs;
    }

    [Fact]
    public async Task CommitsOfThisInstance_KnowEachBoardsPreviousSeq_AnotherInstancesCommitForgetsThem()
    {
        var signal = new TrailSignal();
        var chain = new Chain();

        // Nothing known at first: the broadcaster reads.
        Assert.Empty(await CommitAsync(signal, chain.Append(A)));                 // 1 on A
        Assert.Equal(new Dictionary<long, long> { [3] = 1 }, await CommitAsync(signal, chain.Append(B, A)));   // 2 on B (unknown), 3 on A after 1
        Assert.Equal(new Dictionary<long, long> { [4] = 2, [6] = 3 }, await CommitAsync(signal, chain.Append(B, null, A)));

        // Another instance appends 7 on A: this instance's next commit does not follow its own last entry.
        chain.Append(A);
        Assert.Empty(await CommitAsync(signal, chain.Append(A, B)));              // 8 on A, 9 on B: neither known
        Assert.Equal(new Dictionary<long, long> { [10] = 9, [11] = 8 }, await CommitAsync(signal, chain.Append(B, A)));
    }

    [Fact]
    public async Task ACommitThatFailed_IsNotTakenForTheTrailsEnd()
    {
        var signal = new TrailSignal();
        var chain = new Chain();
        await CommitAsync(signal, chain.Append(A));

        // Prepared under the lock but rolled back: entry 2 on A never lands; another entry 2 (on B) does, by whoever.
        var rolledBack = new Chain();
        rolledBack.Append(A);
        await signal.CommittingAsync(null!, rolledBack.Append(A), CancellationToken.None);
        chain.Append(B);

        Assert.Empty(await CommitAsync(signal, chain.Append(A)));
    }
}
