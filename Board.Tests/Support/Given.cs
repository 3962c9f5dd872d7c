using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Proposals;

namespace Board.Tests;

/// <summary>Members and a board for rule tests; no database.</summary>
internal static class Given
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static readonly Member Admin = Person("Admin", Roles.Admin);
    public static readonly Member Staff = Person("Staff", Roles.Staff);
    public static readonly Member OtherStaff = Person("Other staff", Roles.Staff);
    public static readonly Member Ops1 = Person("Ops one", Roles.Operations);
    public static readonly Member Ops2 = Person("Ops two", Roles.Operations);
    public static readonly Member Ops3 = Person("Ops three", Roles.Operations);
    public static readonly Member Ops4 = Person("Ops four", Roles.Operations);

    public static Member Person(string name, params string[] roles) =>
        new(Guid.CreateVersion7(), name, roles.ToHashSet(), IsActive: true);

    public static Board.Domain.Boards.Board ABoard(BoardPolicy? policy = null) =>
        Board.Domain.Boards.Board.Create("Gangnam store", policy ?? BoardPolicy.Default, Admin, Now.AddDays(-1));

    public static Proposal AProposal(Board.Domain.Boards.Board? board = null, Member? author = null) =>
        Proposal.Post(board ?? ABoard(), author ?? Staff, "Basket return by till 1", "Weekend queues are blocked.", null, Now);

    public static Func<Guid, bool> Everyone => _ => true;
}
