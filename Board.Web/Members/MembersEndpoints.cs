using System.Text.Json.Nodes;
using Board.Domain;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Persistence;
using Board.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Members;

public static class MembersEndpoints
{
    public static IEndpointRouteBuilder MapMembers(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/api/members").WithTags("Members").RequireAuthorization().RequireMemberRole(Roles.Admin);
        members.MapGet("/", List).WithName("listMembers").WithSummary("List the members with their email and roles");
        members.MapPost("/", Create).WithName("createMember").WithSummary("Create a member");
        members.MapPut("/{id:guid}/roles", ChangeRoles).WithName("changeMemberRoles").WithSummary("Change a member's roles").Refuses(RefusalCode.LastAdmin);
        members.MapPost("/{id:guid}/deactivate", Deactivate).WithName("deactivateMember").WithSummary("Deactivate a member");
        members.MapPost("/{id:guid}/reactivate", Reactivate).WithName("reactivateMember").WithSummary("Reactivate a member");
        app.MapGet("/api/members/directory", Directory).WithName("listMemberDirectory").WithSummary("List every member's id and name").WithTags("Members").RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Every member's id and name, deactivated ones too, for every member: the trail already names them all,
    /// and the Trail page filters by them. Emails and roles stay with <see cref="List"/>.
    /// </summary>
    static async Task<Ok<List<PersonDto>>> Directory(CurrentMember me, BoardDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Users.AsNoTracking().OrderBy(u => u.DisplayName)
            .Select(u => new PersonDto(u.Id, u.DisplayName)).ToListAsync(ct));

    static async Task<Ok<List<MemberDto>>> List(BoardDb db, CancellationToken ct)
    {
        var accounts = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ToListAsync(ct);
        var byMember = (await CurrentMember.RoleGrants(db).ToListAsync(ct)).ToLookup(g => g.MemberId, g => g.Role);
        return TypedResults.Ok(accounts.Select(a => MemberDto.From(a, byMember[a.Id])).ToList());
    }

    static async Task<Created<MemberDto>> Create(
        CreateMemberRequest request, CurrentMember me, BoardDb db, UserManager<MemberAccount> users, TimeProvider clock, CancellationToken ct)
    {
        var roles = ValidRoles(request.Roles);
        await RequireActiveAdminAsync(db, me, ct);
        var account = await MemberAccounts.CreateAsync(db, users, request.Email, request.DisplayName, request.Password, roles,
            me.Member.AsActor(), clock.GetUtcNow());
        await db.CommitAsync(ct);
        return TypedResults.Created($"/api/members/{account.Id}", MemberDto.From(account, roles));
    }

    static async Task<Results<Ok<MemberDto>, NotFound>> ChangeRoles(
        Guid id, RolesRequest request, CurrentMember me, BoardDb db, UserManager<MemberAccount> users, TimeProvider clock, CancellationToken ct)
    {
        var roles = ValidRoles(request.Roles);
        await RequireActiveAdminAsync(db, me, ct);
        if (await users.FindByIdAsync(id.ToString()) is not { } account) return TypedResults.NotFound();
        var before = await users.GetRolesAsync(account);
        // An administrator may step down, and may demote another, as long as an active administrator remains.
        if (account.IsActive && before.Contains(Roles.Admin) && !roles.Contains(Roles.Admin)) await RequireAnotherAdminAsync(db, account.Id, ct);
        var removed = before.Except(roles).ToList();
        var added = roles.Except(before).ToList();
        if (removed.Count > 0) IdentityResults.ThrowIfFailed(await users.RemoveFromRolesAsync(account, removed));
        if (added.Count > 0) IdentityResults.ThrowIfFailed(await users.AddToRolesAsync(account, added));
        if (removed.Count + added.Count > 0)
        {
            // Cookies and tokens issued under the old roles end now, and so do the member's hub connections.
            IdentityResults.ThrowIfFailed(await users.UpdateSecurityStampAsync(account));
            db.Record(new TrailFact(TrailActions.MemberRolesChanged, me.Member.AsActor(), clock.GetUtcNow(), null, null, new JsonObject
            {
                ["memberId"] = account.Id.ToString(),
                ["displayName"] = account.DisplayName,
                ["from"] = new JsonArray([.. Roles.All.Where(before.Contains).Select(r => (JsonNode)r)]),
                ["to"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]),
            }));
        }
        await db.CommitAsync(ct);
        return TypedResults.Ok(MemberDto.From(account, roles));
    }

    /// <summary>
    /// The member can no longer sign in, and their cookie and token stop working at once (the member is read
    /// on every request). Their approvals stay, and stop counting when the next approval re-checks the count.
    /// </summary>
    static Task<Results<Ok<MemberDto>, NotFound>> Deactivate(
        Guid id, CurrentMember me, BoardDb db, UserManager<MemberAccount> users, TimeProvider clock, CancellationToken ct)
    {
        if (id == me.Member.Id) throw Refusal.Invalid("id", "You cannot deactivate yourself.");
        return SetActiveAsync(id, false, me, db, users, clock, ct);
    }

    static Task<Results<Ok<MemberDto>, NotFound>> Reactivate(
        Guid id, CurrentMember me, BoardDb db, UserManager<MemberAccount> users, TimeProvider clock, CancellationToken ct) =>
        SetActiveAsync(id, true, me, db, users, clock, ct);

    private static async Task<Results<Ok<MemberDto>, NotFound>> SetActiveAsync(
        Guid id, bool active, CurrentMember me, BoardDb db, UserManager<MemberAccount> users, TimeProvider clock, CancellationToken ct)
    {
        await RequireActiveAdminAsync(db, me, ct);
        if (await users.FindByIdAsync(id.ToString()) is not { } account) return TypedResults.NotFound();
        if (account.IsActive != active)
        {
            if (!active && await IsAdminAsync(db, account.Id, ct)) await RequireAnotherAdminAsync(db, account.Id, ct);
            account.IsActive = active;
            IdentityResults.ThrowIfFailed(await users.UpdateAsync(account));
            // A new stamp: anything issued before the change is stale, whichever way it went.
            IdentityResults.ThrowIfFailed(await users.UpdateSecurityStampAsync(account));
            db.Record(new TrailFact(active ? TrailActions.MemberReactivated : TrailActions.MemberDeactivated,
                me.Member.AsActor(), clock.GetUtcNow(), null, null, new JsonObject
                {
                    ["memberId"] = account.Id.ToString(),
                    ["displayName"] = account.DisplayName,
                }));
        }
        await db.CommitAsync(ct);
        return TypedResults.Ok(MemberDto.From(account, await users.GetRolesAsync(account)));
    }

    /// <summary>
    /// Takes the write lock and checks, under it, that the acting member is still an active administrator: the check
    /// made when the request arrived may be stale by the time its turn comes (another administrator demoted or
    /// deactivated this one meanwhile), and only a check inside the lock orders the two.
    /// </summary>
    private static async Task RequireActiveAdminAsync(BoardDb db, CurrentMember me, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        if (!await db.Users.AnyAsync(u => u.Id == me.Member.Id && u.IsActive, ct))
            throw new Refusal(RefusalCode.Inactive, "Sign in first: this session has ended, or the account is deactivated.");
        if (!await IsAdminAsync(db, me.Member.Id, ct))
            throw new Refusal(RefusalCode.Forbidden, "You are no longer an administrator.");
    }

    private static Task<bool> IsAdminAsync(BoardDb db, Guid memberId, CancellationToken ct) =>
        (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == memberId && r.Name == Roles.Admin select ur).AnyAsync(ct);

    /// <summary>Under the write lock: an active administrator other than <paramref name="memberId"/> remains, or the change is refused.</summary>
    private static async Task RequireAnotherAdminAsync(BoardDb db, Guid memberId, CancellationToken ct)
    {
        var others = await (from ur in db.UserRoles
                            join r in db.Roles on ur.RoleId equals r.Id
                            join u in db.Users on ur.UserId equals u.Id
                            where r.Name == Roles.Admin && u.IsActive && u.Id != memberId
                            select u.Id).AnyAsync(ct);
        if (!others) throw new Refusal(RefusalCode.LastAdmin, "This is the last active administrator: make another member an administrator first.");
    }

    internal static List<string> ValidRoles(IEnumerable<string>? roles)
    {
        var list = (roles ?? []).Select(r => r?.Trim() ?? "").Distinct().ToList();
        if (list.Count == 0) throw Refusal.Invalid("roles", "A member needs at least one role.");
        if (list.FirstOrDefault(r => !Roles.IsKnown(r)) is { } unknown)
            throw Refusal.Invalid("roles", $"Unknown role '{unknown}'. Roles are: {string.Join(", ", Roles.All)}.");
        return [.. Roles.All.Where(list.Contains)];
    }
}
