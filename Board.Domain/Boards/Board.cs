using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;

namespace Board.Domain.Boards;

/// <summary>A board: a name and the policy its proposals are decided by.</summary>
public sealed class Board : IRecordsTrail
{
    /// <summary>Name length limit.</summary>
    public const int NameMax = 80;

    private readonly List<TrailFact> _trail = [];

    private Board() { }

    /// <summary>Identity.</summary>
    public Guid Id { get; private set; }
    /// <summary>Display name.</summary>
    public string Name { get; private set; } = "";
    /// <summary>The policy in force for proposals posted from now on.</summary>
    public BoardPolicy Policy { get; private set; } = BoardPolicy.Default;
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<TrailFact> PendingTrail => _trail;
    /// <inheritdoc />
    public void ClearPendingTrail() => _trail.Clear();

    /// <summary>Creates a board; admins only.</summary>
    public static Board Create(string name, BoardPolicy policy, Member by, DateTimeOffset now)
    {
        RequireAdmin(by);
        var board = new Board { Id = Guid.CreateVersion7(now), Name = ValidName(name), Policy = policy.Validated(), CreatedAt = now };
        board._trail.Add(new TrailFact(TrailActions.BoardCreated, by.AsActor(), now, board.Id, null, new JsonObject
        {
            ["name"] = board.Name,
            ["policy"] = PolicyJson(board.Policy),
        }));
        return board;
    }

    /// <summary>Renames the board; admins only. The same name changes nothing.</summary>
    public void Rename(string name, Member by, DateTimeOffset now)
    {
        RequireAdmin(by);
        var valid = ValidName(name);
        if (valid == Name) return;
        _trail.Add(new TrailFact(TrailActions.BoardRenamed, by.AsActor(), now, Id, null, new JsonObject { ["from"] = Name, ["to"] = valid }));
        Name = valid;
    }

    /// <summary>Changes the policy for proposals posted after now; admins only. Proposals already posted keep theirs.</summary>
    public void ChangePolicy(BoardPolicy policy, Member by, DateTimeOffset now)
    {
        RequireAdmin(by);
        var valid = policy.Validated();
        if (valid == Policy) return;
        _trail.Add(new TrailFact(TrailActions.BoardPolicyChanged, by.AsActor(), now, Id, null, new JsonObject
        {
            ["from"] = PolicyJson(Policy),
            ["to"] = PolicyJson(valid),
        }));
        Policy = valid;
    }

    private static void RequireAdmin(Member by)
    {
        if (!by.Holds(Roles.Admin)) throw new Refusal(RefusalCode.Forbidden, "Only administrators manage boards.");
    }

    private static string ValidName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > NameMax) throw Refusal.Invalid("name", $"Name must be 1 to {NameMax} characters.");
        return Text.PlainText.RequireCleanLine("name", trimmed);
    }

    private static JsonObject PolicyJson(BoardPolicy p) => new()
    {
        ["approvalsRequired"] = p.ApprovalsRequired,
        ["approverRole"] = p.ApproverRole,
        ["expiresAfterDays"] = p.ExpiresAfterDays,
    };
}
