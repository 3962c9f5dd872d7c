using Board.Web.Auth;
using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Web.Realtime;

/// <summary>
/// What the server calls on clients. The names are the contract's, exactly (<c>commit</c>, <c>head</c>, <c>presence</c>):
/// the .NET client matches handler names ordinally, so they are spelled here as clients register them.
/// </summary>
#pragma warning disable IDE1006 // lowercase names are the public contract
public interface IBoardClient
{
    Task commit(CommitDto commit);
    Task head(HeadDto head);
    Task presence(PresenceDto presence);
}
#pragma warning restore IDE1006

/// <summary>
/// One committed transaction as a group hears it: its entries in seq order (the deciding approval's
/// <c>approval.added</c> and <c>proposal.executed</c> together) and the proposal as that commit left it.
/// <see cref="Prev"/> is the seq of the entry before <see cref="Entries"/> that the group holds: the board's previous
/// entry for a board's watchers (0 for its first), the trail's previous entry for trail watchers. A client whose last
/// seq is not <see cref="Prev"/> missed something and catches up from <c>/api/boards/{boardId}/events?after=</c>.
/// </summary>
public sealed record CommitDto(Guid? BoardId, long Prev, IReadOnlyList<TrailEntryDto> Entries, ProposalDto? Proposal);

/// <summary>
/// A watched board's latest seq (<see cref="BoardId"/> null: the whole trail's), sent every <c>Realtime:HeadSeconds</c>:
/// a client that holds less missed a commit that no later commit revealed, and catches up.
/// </summary>
public sealed record HeadDto(Guid? BoardId, long Seq);

/// <summary>Who watches a board: the first members by name (at most <see cref="PresenceBroadcaster.Listed"/>) and how many there are.</summary>
public sealed record PresenceDto(Guid BoardId, IReadOnlyList<PersonDto> Members, int Count);
