namespace Board.Domain.Members;

/// <summary>A member as the rule sees them at this moment: who, which roles, still active or not.</summary>
public sealed record Member(Guid Id, string Name, IReadOnlySet<string> Roles, bool IsActive = true)
{
    /// <summary>Name length limits.</summary>
    public const int NameMax = 80;

    /// <summary>A display name as it is kept: trimmed, 1 to <see cref="NameMax"/> characters, plain text.</summary>
    public static string ValidName(string? name, string field = "displayName")
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > NameMax) throw Refusal.Invalid(field, $"A name must be 1 to {NameMax} characters.");
        return Text.PlainText.RequireCleanLine(field, trimmed);
    }

    /// <summary>Whether the member is active and holds <paramref name="role"/>.</summary>
    public bool Holds(string role) => IsActive && Roles.Contains(role);

    /// <summary>The actor stamp written into the trail.</summary>
    public Actor AsActor() => new(Id, Name);
}

/// <summary>Who did something, as recorded at that moment. A <c>null</c> id is the system itself.</summary>
public sealed record Actor(Guid? Id, string Name)
{
    /// <summary>The board itself, for changes nobody made by hand (expiry).</summary>
    public static readonly Actor System = new(null, "system");
}
