using Board.Web.Auth;
using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Web.Realtime;

/// <summary>
/// What the server calls on clients. The names are the contract's, exactly (<c>commit</c>, <c>presence</c>):
/// the .NET client matches handler names ordinally, so they are spelled here as clients register them.
/// </summary>
#pragma warning disable IDE1006 // lowercase names are the public contract
public interface IBoardClient
{
    Task commit(CommitDto commit);
    Task presence(PresenceDto presence);
}
#pragma warning restore IDE1006

/// <summary>
/// One committed transaction as a group hears it: its entries in seq order (the deciding approval's
/// <c>approval.added</c> and <c>proposal.executed</c> together) and the proposal as that commit left it.
/// </summary>
public sealed record CommitDto(IReadOnlyList<TrailEntryDto> Entries, ProposalDto? Proposal);

/// <summary>Who watches a board: the first members by name (at most <see cref="PresenceBroadcaster.Listed"/>) and how many there are.</summary>
public sealed record PresenceDto(Guid BoardId, IReadOnlyList<PersonDto> Members, int Count);
