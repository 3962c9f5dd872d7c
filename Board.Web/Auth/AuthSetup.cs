using Board.Web.Keys;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace Board.Web.Auth;

public static class AuthSetup
{
    /// <summary>The shortest password a member may have.</summary>
    public const int PasswordMin = 8;

    public const string Scheme = "Board";
    public const string HubPath = "/hubs";
    public const string CookieName = "board.auth";

    /// <summary>The Data Protection application name: the same on every instance, so they share one key ring.</summary>
    public const string ApplicationName = "Board";

    /// <summary>
    /// Identity for accounts and passwords; a cookie for browsers and a bearer token for API clients and
    /// the hub, chosen per request by what the request carries.
    /// </summary>
    public static IServiceCollection AddBoardAuth(this IServiceCollection services, DataProtectionCertificate certificate)
    {
        // Cookies and bearer tokens are both Data Protection payloads. Their keys live in the database, not in this
        // machine's home folder: a token issued by one instance is honoured by every other, and after restarts. The
        // keys are encrypted there with a certificate that is not in the database, so a copy of it opens nothing.
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToDbContext<BoardDb>();
        if (certificate.Current is { } current)
            dataProtection.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([.. certificate.All]);
        services.AddSingleton(certificate);
        services.AddSingleton<KeyRingMigration>();
        services.AddIdentityCore<MemberAccount>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = PasswordMin;
                // No lockout: it lets anyone lock any member out. Sign-in is rate-limited per address and per (account, address) instead.
                o.Lockout.AllowedForNewUsers = false;
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<Persistence.BoardDb>()
            .AddSignInManager();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || (context.Request.Path.StartsWithSegments(HubPath) && context.Request.Query.ContainsKey("access_token"))
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddCookie(IdentityConstants.ApplicationScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            })
            .AddBearerToken(IdentityConstants.BearerScheme, o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromHours(12);
                o.Events = new BearerTokenEvents
                {
                    // WebSockets cannot send headers: the hub takes the token from the query string.
                    OnMessageReceived = c =>
                    {
                        if (c.Request.Path.StartsWithSegments(HubPath) && c.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                            c.Token = token;
                        return Task.CompletedTask;
                    },
                };
            });
        services.AddAuthorization();
        services.AddSingleton<UnknownAccount>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, MemberRoleHandler>();
        return services;
    }

    /// <summary>
    /// Retires the keys the certificate did not encrypt (<see cref="KeyRingMigration"/>) and makes sure the key ring has
    /// a key before the first request. Run under <see cref="DatabaseSetup.RunExclusiveAsync"/>:
    /// two instances starting at once on an empty database then agree on one key instead of each making its own.
    /// </summary>
    public static async Task EnsureSignInKeysAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        using (var scope = services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<KeyRingMigration>().RunAsync(scope.ServiceProvider.GetRequiredService<BoardDb>(), ct);
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Board.KeyRing").Protect([1]);
    }
}
