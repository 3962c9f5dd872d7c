using System.Security.Claims;
using Board.Domain;
using Board.Domain.Members;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Auth;

/// <summary>
/// The signed-in member, read fresh from the database on each request, so a role change or a
/// deactivation takes effect at once, whatever the cookie or token still says.
/// </summary>
public sealed class CurrentMember(Member member)
{
    public Member Member { get; } = member;

    public static async ValueTask<CurrentMember> BindAsync(HttpContext http)
    {
        if (http.Items[typeof(CurrentMember)] is CurrentMember cached) return cached;
        var id = ReadId(http.User) ?? throw new Refusal(RefusalCode.Inactive, "Sign in first.");
        var db = http.RequestServices.GetRequiredService<BoardDb>();
        var member = await LoadAsync(db, id, http.RequestAborted);
        if (member is not { IsActive: true }) throw new Refusal(RefusalCode.Inactive, "This account is deactivated or no longer exists.");
        var current = new CurrentMember(member);
        http.Items[typeof(CurrentMember)] = current;
        return current;
    }

    public static Guid? ReadId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>The member with their roles, in one statement.</summary>
    public static async Task<Member?> LoadAsync(BoardDb db, Guid id, CancellationToken ct)
    {
        var found = await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new
            {
                u.DisplayName,
                u.IsActive,
                Roles = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToList(),
            })
            .FirstOrDefaultAsync(ct);
        return found is null ? null : new Member(id, found.DisplayName, found.Roles.ToHashSet(StringComparer.Ordinal), found.IsActive);
    }

    /// <summary>
    /// The member as of a fresh <see cref="EligibleAsync"/> read: holding <paramref name="role"/> (and active) exactly
    /// when <paramref name="holdsNow"/>, whatever was read at the start of the request.
    /// </summary>
    public static Member AsOfNow(Member member, string role, bool holdsNow) => holdsNow
        ? member with { IsActive = true, Roles = member.Roles.Contains(role) ? member.Roles : new HashSet<string>(member.Roles.Append(role), StringComparer.Ordinal) }
        : member with { Roles = new HashSet<string>(member.Roles.Where(r => r != role), StringComparer.Ordinal) };

    public static IQueryable<string> RolesOf(BoardDb db, Guid id) =>
        from ur in db.UserRoles
        join r in db.Roles on ur.RoleId equals r.Id
        where ur.UserId == id
        select r.Name!;

    /// <summary>Of <paramref name="ids"/>, those who are active members holding <paramref name="role"/> now.</summary>
    public static async Task<HashSet<Guid>> EligibleAsync(BoardDb db, IReadOnlyCollection<Guid> ids, string role, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var eligible = await (
            from ur in db.UserRoles
            join r in db.Roles on ur.RoleId equals r.Id
            join u in db.Users on ur.UserId equals u.Id
            where r.Name == role && u.IsActive && ids.Contains(ur.UserId)
            select ur.UserId).ToListAsync(ct);
        return [.. eligible];
    }
}

public static class MemberRoleFilter
{
    /// <summary>Refuses members who lack every one of <paramref name="roles"/>, with 403 <c>forbidden</c>.</summary>
    public static TBuilder RequireMemberRole<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var me = await CurrentMember.BindAsync(context.HttpContext);
            if (!roles.Any(me.Member.Holds))
                throw new Refusal(RefusalCode.Forbidden, $"This needs the role {string.Join(" or ", roles)}.");
            return await next(context);
        });
}
