using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace Board.Web.Auth;

/// <summary>
/// Runs after authentication: a cookie or token whose member is gone, deactivated or re-stamped (role change,
/// password change, sign-out) is treated as no credential at all, and a stale cookie is deleted. The member row
/// it loads is the one every handler gets as <see cref="CurrentMember"/>, so the check costs no extra query.
/// </summary>
public static class SessionCheck
{
    public static IApplicationBuilder UseSessionCheck(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true && await CurrentMember.ValidateAsync(context) is null)
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
                if (context.Request.Cookies.ContainsKey(AuthSetup.CookieName)) await context.SignOutAsync(IdentityConstants.ApplicationScheme);
            }
            await next(context);
        });
}
