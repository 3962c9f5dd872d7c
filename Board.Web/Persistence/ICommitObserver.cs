using Board.Domain.Proposals;
using Board.Domain.Trail;

namespace Board.Web.Persistence;

/// <summary>
/// A feature that reacts to commits, registered in DI as a singleton (<c>AddSingleton&lt;ICommitObserver, …&gt;</c>): the contexts
/// are pooled and made without the request's services, and one observer serves every commit at once: what it keeps of one
/// commit until <see cref="Committed"/> is keyed by that commit's entries. Persistence calls every one without knowing
/// what it is.
/// </summary>
public interface ICommitObserver
{
    /// <summary>
    /// Inside the write transaction, after the entries are chained and before anything is saved: rows added to
    /// <paramref name="db"/> here (an outbox) commit together with the entries or not at all.
    /// </summary>
    ValueTask CommittingAsync(BoardDb db, IReadOnlyList<AuditEntry> entries, CancellationToken ct) => ValueTask.CompletedTask;

    /// <summary>
    /// After the commit: wake whoever works from committed entries. <paramref name="proposals"/> are the proposals the
    /// entries came from, in the state just committed (what the request replies with). Must not throw or block.
    /// </summary>
    void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Proposal> proposals);
}

/// <summary>An observer made of one "after commit" action, for features that only need waking.</summary>
public sealed class AfterCommit(Action<IReadOnlyList<AuditEntry>> action) : ICommitObserver
{
    public void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Proposal> proposals) => action(entries);
}

/// <summary>Every <see cref="ICommitObserver"/> of the host, for its pooled contexts: each observer is a singleton.</summary>
public sealed class CommitObservers(IEnumerable<ICommitObserver> observers)
{
    public ICommitObserver[] All { get; } = [.. observers];
}
