using System.Threading.Channels;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Persistence;

namespace Board.Web.Realtime;

/// <summary>
/// This instance's commits, handed from the committing request to the broadcaster as they commit: the entries
/// written and the aggregates they came from, whose state the request has just built its reply from.
/// </summary>
public sealed class TrailSignal : ICommitObserver
{
    private readonly Channel<LocalCommit> _commits = Channel.CreateUnbounded<LocalCommit>(new UnboundedChannelOptions { SingleReader = true });

    public void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Proposal> proposals) =>
        _commits.Writer.TryWrite(new LocalCommit(entries, proposals));

    public ChannelReader<LocalCommit> Commits => _commits.Reader;
}

public sealed record LocalCommit(IReadOnlyList<AuditEntry> Entries, IReadOnlyList<Proposal> Proposals);
