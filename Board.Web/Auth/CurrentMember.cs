using System.Security.Claims;
using Board.Domain;
using Board.Domain.Members;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Auth;

/// <summary>
/// The signed-in member, read fresh from the database on each request, so a role change or a
/// deactivation takes effect at once, whatever the cookie or token still says.
/// </summary>
public sealed class CurrentMember(Member member)
{
    public Member Member { get; } = member;

    public static async ValueTask<CurrentMember> BindAsync(HttpContext http) =>
        http.Items[typeof(CurrentMember)] as CurrentMember
        ?? await ValidateAsync(http)
        ?? throw new Refusal(RefusalCode.Inactive, "Sign in first: this session has ended, or the account is deactivated.");

    /// <summary>
    /// The member this request's cookie or token stands for, if it still stands for anyone: the account exists, is
    /// active, and carries the same security stamp as when the cookie or token was issued (deactivation, a role change,
    /// a password change and sign-out each change it). Loaded once per request and kept for <see cref="BindAsync"/>.
    /// </summary>
    public static async ValueTask<CurrentMember?> ValidateAsync(HttpContext http)
    {
        if (http.Items[typeof(CurrentMember)] is CurrentMember cached) return cached;
        if (ReadId(http.User) is not { } id) return null;
        if (!http.Request.Path.StartsWithSegments(AuthSetup.HubPath))
        {
            var current = await LoadCurrentAsync(http, http.RequestServices.GetRequiredService<BoardDb>(), id);
            if (current is not null) http.Items[typeof(CurrentMember)] = current;
            return current;
        }
        // A hub request lasts as long as its connection (a WebSocket, for hours): whatever it holds, every idle watcher
        // holds. A BoardDb taken from the request's services would stay alive with it (~8 KiB of DbContext, EF Core
        // services and SqliteConnection per watcher), so the check gets a scope of its own, gone once it has answered;
        // and the member is not kept in Items, since the hub loads its own on connect.
        await using var scope = http.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await LoadCurrentAsync(http, scope.ServiceProvider.GetRequiredService<BoardDb>(), id);
    }

    private static async Task<CurrentMember?> LoadCurrentAsync(HttpContext http, BoardDb db, Guid id)
    {
        var found = await AccountOf.For(db)(db, id, http.RequestAborted);
        if (found is not { IsActive: true } || !IsCurrent(http.User, found.SecurityStamp)) return null;
        return new CurrentMember(found.ToMember());
    }

    /// <summary>What a request needs of the account: who, whether active, the stamp its session must carry, the roles.</summary>
    private sealed record AccountWithRoles(Guid Id, string DisplayName, bool IsActive, string? SecurityStamp, List<string> Roles)
    {
        public Member ToMember() => new(Id, DisplayName, Roles.ToHashSet(StringComparer.Ordinal), IsActive);
    }

    // Every signed-in request runs it: the account's few columns it needs and its role names in one statement, compiled once.
    private static readonly CompiledQuery<Func<BoardDb, Guid, CancellationToken, Task<AccountWithRoles?>>> AccountOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id, CancellationToken ct) => db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new AccountWithRoles(u.Id, u.DisplayName, u.IsActive, u.SecurityStamp, (
                from ur in db.UserRoles
                join r in db.Roles on ur.RoleId equals r.Id
                where ur.UserId == u.Id
                select r.Name!).ToList()))
            .FirstOrDefault()));

    /// <summary>The security stamp the cookie or token was issued with; null when it carries none (it is then never current).</summary>
    public static string? ReadStamp(ClaimsPrincipal user) => user.FindFirstValue(StampClaim);

    public static bool IsCurrent(ClaimsPrincipal user, string? stamp) => stamp is not null && ReadStamp(user) == stamp;

    public static readonly string StampClaim = new Microsoft.AspNetCore.Identity.ClaimsIdentityOptions().SecurityStampClaimType;

    public static Guid? ReadId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>The member with their roles, in one statement.</summary>
    public static async Task<Member?> LoadAsync(BoardDb db, Guid id, CancellationToken ct) =>
        await AccountOf.For(db)(db, id, ct) is { } found ? found.ToMember() : null;

    /// <summary>
    /// The member as of a fresh <see cref="EligibleAsync"/> read: holding <paramref name="role"/> (and active) exactly
    /// when <paramref name="holdsNow"/>, whatever was read at the start of the request.
    /// </summary>
    public static Member AsOfNow(Member member, string role, bool holdsNow) => holdsNow
        ? member with { IsActive = true, Roles = member.Roles.Contains(role) ? member.Roles : new HashSet<string>(member.Roles.Append(role), StringComparer.Ordinal) }
        : member with { Roles = new HashSet<string>(member.Roles.Where(r => r != role), StringComparer.Ordinal) };

    public static IQueryable<string> RolesOf(BoardDb db, Guid id) =>
        RoleGrants(db).Where(g => g.MemberId == id).Select(g => g.Role);

    /// <summary>
    /// Every role every member holds: Identity's user-role rows joined to the role names. (The two compiled queries
    /// here write the same join inline: a compiled query cannot call a method that builds a query.)
    /// </summary>
    public static IQueryable<RoleGrant> RoleGrants(BoardDb db) =>
        from ur in db.UserRoles
        join r in db.Roles on ur.RoleId equals r.Id
        select new RoleGrant { MemberId = ur.UserId, Role = r.Name! };

    // Compiled once: run under the write lock by every approval.
    private static readonly CompiledQuery<Func<BoardDb, Guid[], string, IAsyncEnumerable<Guid>>> Eligible = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid[] ids, string role) =>
            from ur in db.UserRoles
            join r in db.Roles on ur.RoleId equals r.Id
            join u in db.Users on ur.UserId equals u.Id
            where r.Name == role && u.IsActive && ids.Contains(ur.UserId)
            select ur.UserId));

    /// <summary>Of <paramref name="ids"/>, those who are active members holding <paramref name="role"/> now.</summary>
    public static async Task<HashSet<Guid>> EligibleAsync(BoardDb db, IReadOnlyCollection<Guid> ids, string role, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var eligible = new HashSet<Guid>();
        await foreach (var id in Eligible.For(db)(db, [.. ids], role).WithCancellation(ct)) eligible.Add(id);
        return eligible;
    }
}

public sealed record RoleGrant
{
    public required Guid MemberId { get; init; }
    public required string Role { get; init; }
}

/// <summary>
/// Endpoints for members holding one of some roles. An authorization requirement, not an endpoint filter: it is
/// decided before the request is bound, so a member without the role gets 403 whatever they sent, and learns nothing
/// about what the endpoint would have accepted.
/// </summary>
public static class MemberRoleFilter
{
    /// <summary>Refuses members who lack every one of <paramref name="roles"/>, with 403 <c>forbidden</c> (401 when not signed in).</summary>
    public static TBuilder RequireMemberRole<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new MemberRoleRequirement(roles)).Build());
}

public sealed record MemberRoleRequirement(IReadOnlyList<string> Roles) : IAuthorizationRequirement;

/// <summary>Reads the member the session check already loaded for this request: no extra query.</summary>
public sealed class MemberRoleHandler : AuthorizationHandler<MemberRoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, MemberRoleRequirement requirement)
    {
        if (context.Resource is HttpContext http && await CurrentMember.ValidateAsync(http) is { } me && requirement.Roles.Any(me.Member.Holds))
            context.Succeed(requirement);
    }
}
