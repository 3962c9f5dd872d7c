namespace Board.Domain.Members;

/// <summary>The roles a member may hold.</summary>
public static class Roles
{
    /// <summary>Store staff: post, discuss, withdraw their own.</summary>
    public const string Staff = "staff";
    /// <summary>Operations team: approve and complete.</summary>
    public const string Operations = "operations";
    /// <summary>Managers: review and export the trail.</summary>
    public const string Manager = "manager";
    /// <summary>Administrators: members, boards, webhooks.</summary>
    public const string Admin = "admin";

    /// <summary>Every role, in display order.</summary>
    public static readonly IReadOnlyList<string> All = [Staff, Operations, Manager, Admin];

    /// <summary>Who reviews the board's record: reads the insights and exports the trail.</summary>
    public static readonly IReadOnlyList<string> Reviewers = [Manager, Admin];

    /// <summary>Who records the outcome of an executed proposal.</summary>
    public const string Completer = Operations;

    /// <summary>Whether <paramref name="role"/> is one of <see cref="All"/>.</summary>
    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
