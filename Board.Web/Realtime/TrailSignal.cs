using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Persistence;

namespace Board.Web.Realtime;

/// <summary>
/// This instance's commits, handed from the committing request to the broadcaster as they commit: the entries
/// written and the aggregates they came from, whose state the request has just built its reply from, and for each
/// board entry, when this instance knows it, the seq of the board's entry before it (a commit's <c>prev</c>).
/// </summary>
public sealed class TrailSignal : ICommitObserver
{
    private readonly Channel<LocalCommit> _commits = Channel.CreateUnbounded<LocalCommit>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// The last seq of every board this instance wrote to since the trail stood at some entry, up to the entry
    /// <see cref="Seq"/> with hash <see cref="Hash"/>, every entry in between being this instance's own. A commit
    /// that appends to that very entry knows the board's previous seq from here, exactly; after a commit of another
    /// instance nothing is known until this instance writes to the board again.
    /// </summary>
    private sealed record Known(long Seq, string Hash, ImmutableDictionary<Guid, long> LastOnBoard);

    private volatile Known? _known;
    private readonly ConditionalWeakTable<IReadOnlyList<AuditEntry>, IReadOnlyDictionary<long, long>> _prevs = [];

    /// <summary>Under the write lock: works out, without reading, the board's previous seq of each entry it can.</summary>
    public ValueTask CommittingAsync(BoardDb db, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        var first = entries[0];
        var last = _known is { } known && known.Seq == first.Seq - 1 && known.Hash == first.PrevHash
            ? known.LastOnBoard
            : ImmutableDictionary<Guid, long>.Empty;
        var prevs = new Dictionary<long, long>();
        foreach (var entry in entries)
        {
            if (entry.BoardId is not { } board) continue;
            if (last.TryGetValue(board, out var prev)) prevs[entry.Seq] = prev;
            last = last.SetItem(board, entry.Seq);
        }
        // Kept before the commit is known to succeed: keyed by the last entry's hash, it only ever serves a chain
        // that ends in that entry, and so contains these entries.
        _known = new Known(entries[^1].Seq, entries[^1].Hash, last);
        _prevs.AddOrUpdate(entries, prevs);
        return ValueTask.CompletedTask;
    }

    public void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Proposal> proposals) =>
        _commits.Writer.TryWrite(new LocalCommit(entries, proposals,
            _prevs.TryGetValue(entries, out var prevs) ? prevs : ImmutableDictionary<long, long>.Empty));

    public ChannelReader<LocalCommit> Commits => _commits.Reader;
}

/// <summary><paramref name="BoardPrevs"/>: by seq, the seq of the same board's entry before it, where this instance knows it.</summary>
public sealed record LocalCommit(IReadOnlyList<AuditEntry> Entries, IReadOnlyList<Proposal> Proposals, IReadOnlyDictionary<long, long> BoardPrevs);
