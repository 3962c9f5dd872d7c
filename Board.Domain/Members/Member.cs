namespace Board.Domain.Members;

/// <summary>A member as the rule sees them at this moment: who, which roles, still active or not.</summary>
public sealed record Member(Guid Id, string Name, IReadOnlySet<string> Roles, bool IsActive = true)
{
    /// <summary>Name length limits.</summary>
    public const int NameMax = 80;

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
