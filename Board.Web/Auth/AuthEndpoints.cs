using Board.Web.Persistence;
using Board.Web.Problems;
using Board.Web.Realtime;
using Board.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/login", Login).WithName("signIn").WithSummary("Sign in with email and password").ProducesProblemCodes(StatusCodes.Status401Unauthorized, "invalid-credentials", "inactive").AllowAnonymous().RequireRateLimiting(RateLimits.SignInPolicy);
        auth.MapPost("/logout", Logout).WithName("signOut").WithSummary("Sign out: end every session of the member").RequireAuthorization();
        auth.MapGet("/antiforgery", Security.BrowserRequestGuard.Token).WithName("getAntiforgeryToken").WithSummary("Get the antiforgery token a cookie-signed-in page sends on writes").RequireAuthorization();
        auth.MapGet("/session", Session).WithName("getSession").WithSummary("Get who this browser is signed in as, if anyone").AllowAnonymous();
        app.MapGet("/api/me", Me).WithName("getMe").WithSummary("Get the signed-in member").RequireAuthorization().WithTags("Auth");
        app.MapPasswordChange();
        return app;
    }

    static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> Login(
        LoginRequest request, HttpContext http, SignInManager<MemberAccount> signIn, BoardDb db, SignInLimiter limiter,
        UnknownAccount unknown, IOptionsMonitor<BearerTokenOptions> bearer, TimeProvider clock)
    {
        if (await limiter.TryAttemptAsync(request.Email, http) is { } wait)
            return RateLimits.Rejected(http, wait, "Too many sign-in attempts for this account from this address. Wait a moment and try again.");
        var users = signIn.UserManager;
        var account = await users.FindByEmailAsync(request.Email);
        // An unknown email costs one password hash too and gets the same answer: whether an account exists is not measurable.
        // No lockout: a count of wrong passwords per account would let anyone lock any member out; the limits above do the job.
        var valid = account is null
            ? unknown.Verify(users.PasswordHasher, request.Password)
            : await users.CheckPasswordAsync(account, request.Password);
        if (account is null || !valid)
            return Problems.Problems.Unauthorized("invalid-credentials", "The email or password is not right.");
        if (!account.IsActive)
            return Problems.Problems.Unauthorized("inactive", "This account is deactivated.");

        var principal = await signIn.CreateUserPrincipalAsync(account);
        await http.SignInAsync(IdentityConstants.ApplicationScheme, principal);

        var options = bearer.Get(IdentityConstants.BearerScheme);
        var expiresAt = clock.GetUtcNow() + options.BearerTokenExpiration;
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = expiresAt }, IdentityConstants.BearerScheme);
        var token = options.BearerTokenProtector.Protect(ticket);

        var roles = await CurrentMember.RolesOf(db, account.Id).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(new LoginResponse(MemberDto.From(account, roles), token, expiresAt));
    }

    /// <summary>Who this browser is signed in as, if anyone: lets the page choose its first screen without a 401.</summary>
    static async Task<Ok<SessionDto>> Session(HttpContext http, BoardDb db, CancellationToken ct)
    {
        if (CurrentMember.ReadId(http.User) is not { } id) return TypedResults.Ok(new SessionDto(null));
        var account = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (account is not { IsActive: true }) return TypedResults.Ok(new SessionDto(null));
        return TypedResults.Ok(new SessionDto(MemberDto.From(account, await CurrentMember.RolesOf(db, id).ToListAsync(ct))));
    }

    /// <summary>
    /// Signs out everywhere: a new security stamp makes every cookie and token issued to the member stale at once
    /// (a copied cookie or a leaked token included), and <see cref="SessionWatchdog"/> closes their hub connections.
    /// </summary>
    static async Task<NoContent> Logout(HttpContext http, CurrentMember me, BoardDb db, UserManager<MemberAccount> users, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        if (await users.FindByIdAsync(me.Member.Id.ToString()) is { } account)
            IdentityResults.ThrowIfFailed(await users.UpdateSecurityStampAsync(account));
        await db.CommitAsync(ct);
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        return TypedResults.NoContent();
    }

    static async Task<Ok<MemberDto>> Me(CurrentMember me, BoardDb db, CancellationToken ct)
    {
        var account = await db.Users.AsNoTracking().FirstAsync(u => u.Id == me.Member.Id, ct);
        return TypedResults.Ok(MemberDto.From(account, me.Member.Roles));
    }
}
