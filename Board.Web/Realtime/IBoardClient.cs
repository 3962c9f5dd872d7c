using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Web.Realtime;

public interface IBoardClient
{
    Task Event(TrailEntryDto entry);
    Task Presence(PresenceDto presence);
}

public sealed record PresenceDto(Guid BoardId, IReadOnlyList<PersonDto> Members);
