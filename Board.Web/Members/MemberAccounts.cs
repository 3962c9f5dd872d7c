using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Identity;

namespace Board.Web.Members;

public static class MemberAccounts
{
    /// <summary>Creates an account with its roles and records <c>member.created</c>; the caller commits.</summary>
    public static async Task<MemberAccount> CreateAsync(
        BoardDb db, UserManager<MemberAccount> users, string email, string displayName, string password,
        IReadOnlyList<string> roles, Actor by, DateTimeOffset now)
    {
        await db.BeginWriteAsync(CancellationToken.None);
        var account = new MemberAccount
        {
            Id = Guid.CreateVersion7(now),
            Email = email.Trim(),
            UserName = email.Trim(),
            DisplayName = Member.ValidName(displayName),
            CreatedAt = now,
        };
        IdentityResults.ThrowIfFailed(await users.CreateAsync(account, password));
        IdentityResults.ThrowIfFailed(await users.AddToRolesAsync(account, roles));
        db.Record(new TrailFact(TrailActions.MemberCreated, by, now, null, null, new JsonObject
        {
            ["memberId"] = account.Id.ToString(),
            ["displayName"] = account.DisplayName,
            ["roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]),
        }));
        return account;
    }
}
