using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Web.Realtime;

/// <summary>
/// What the server calls on clients. The names are the contract's, exactly (<c>event</c>, <c>presence</c>):
/// the .NET client matches handler names ordinally, so they are spelled here as clients register them.
/// </summary>
#pragma warning disable IDE1006 // lowercase names are the public contract
public interface IBoardClient
{
    Task @event(TrailEntryDto entry);
    Task presence(PresenceDto presence);
}
#pragma warning restore IDE1006

public sealed record PresenceDto(Guid BoardId, IReadOnlyList<PersonDto> Members);
