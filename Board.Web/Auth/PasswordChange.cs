using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Board.Domain;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Board.Web.Auth;

public sealed class ChangePasswordRequest
{
    /// <summary>The password the member signs in with now.</summary>
    [Required, StringLength(256)] public string Current { get; set; } = "";

    /// <summary>The new password: at least 8 characters, different from the current one.</summary>
    [Required, StringLength(256, MinimumLength = 8)] public string New { get; set; } = "";
}

/// <summary>A fresh bearer token for the session that changed the password (every token issued before it has ended).</summary>
public sealed record PasswordChangedResponse(string AccessToken, DateTimeOffset ExpiresAt);

/// <summary>
/// <c>POST /api/me/password</c>: a member changes their own password. The new security stamp ends every cookie, token
/// and hub connection issued before (<see cref="SessionCheck"/>, <see cref="SessionWatchdog"/>); the session that asked
/// is signed in again under the new stamp, so only the member's other sessions end. The trail records that it
/// happened, never the password.
/// </summary>
public static class PasswordChange
{
    public const string Path = "/api/me/password";

    public static IEndpointRouteBuilder MapPasswordChange(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Change).WithName("changePassword").WithSummary("Change the signed-in member's password and end their other sessions").RequireAuthorization().RequireRateLimiting(RateLimits.WritePolicy).WithTags("Auth");
        return app;
    }

    static async Task<Results<Ok<PasswordChangedResponse>, ProblemHttpResult>> Change(
        ChangePasswordRequest request, HttpContext http, CurrentMember me, BoardDb db, SignInManager<MemberAccount> signIn,
        SignInLimiter limiter, IOptionsMonitor<BearerTokenOptions> bearer, TimeProvider clock, CancellationToken ct)
    {
        var users = signIn.UserManager;
        // Guessing the current password from a session left open counts like guessing it at the sign-in page.
        if (await limiter.TryAttemptAsync(me.Member.Id.ToString(), http) is { } wait)
            return RateLimits.Rejected(http, wait, "Too many password attempts for this account from this address. Wait a moment and try again.");
        if (request.New == request.Current)
            throw Refusal.Invalid("new", "The new password must differ from the current one.");
        await db.BeginWriteAsync(ct);
        var account = await users.FindByIdAsync(me.Member.Id.ToString())
            ?? throw new Refusal(RefusalCode.Inactive, "Sign in first: this session has ended, or the account is deactivated.");
        var result = await users.ChangePasswordAsync(account, request.Current, request.New);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
            throw Refusal.Invalid("current", "The current password is not right.");
        if (!result.Succeeded)
            throw new Refusal(RefusalCode.Validation, "The new password is not accepted.",
                new Dictionary<string, string[]> { ["new"] = [.. result.Errors.Select(e => e.Description)] });
        var now = clock.GetUtcNow();
        db.Record(new TrailFact(TrailActions.MemberPasswordChanged, me.Member.AsActor(), now, null, null, new JsonObject
        {
            ["memberId"] = account.Id.ToString(),
            ["displayName"] = account.DisplayName,
        }));
        await db.CommitAsync(ct);

        // This session goes on under the new stamp: its cookie is re-issued, and it gets a new token.
        var principal = await signIn.CreateUserPrincipalAsync(account);
        if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            await http.SignInAsync(IdentityConstants.ApplicationScheme, principal);
        var options = bearer.Get(IdentityConstants.BearerScheme);
        var expiresAt = now + options.BearerTokenExpiration;
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = expiresAt }, IdentityConstants.BearerScheme);
        return TypedResults.Ok(new PasswordChangedResponse(options.BearerTokenProtector.Protect(ticket), expiresAt));
    }
}
