using Board.Web.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Board.Web.Security;

/// <summary>
/// What a browser's ambient credentials must not be used for: cookie-authenticated unsafe <c>/api</c>
/// requests need the antiforgery header, and the hub only takes connections from this origin. Bearer
/// requests are exempt — a forged cross-site request cannot carry a token.
/// </summary>
public static class BrowserRequestGuard
{
    public const string HeaderName = "X-XSRF-TOKEN";
    public const string ProblemCode = "antiforgery";

    public static IServiceCollection AddBrowserRequestGuard(this IServiceCollection services) =>
        services.AddAntiforgery(o =>
        {
            o.HeaderName = HeaderName;
            o.Cookie.Name = "board.af";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

    /// <summary>Runs after authentication: the antiforgery token is bound to the signed-in member.</summary>
    public static IApplicationBuilder UseBrowserRequestGuard(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments(AuthSetup.HubPath) && !IsSameOrigin(request))
            {
                await Problem(StatusCodes.Status403Forbidden, "forbidden-origin", "This origin may not connect to the hub.").ExecuteAsync(context);
                return;
            }
            if (NeedsAntiforgery(context))
            {
                var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
                try
                {
                    await antiforgery.ValidateRequestAsync(context);
                }
                catch (AntiforgeryValidationException)
                {
                    await Problem(StatusCodes.Status400BadRequest, ProblemCode,
                        $"This request needs the {HeaderName} header from /api/auth/antiforgery. Reload the page and try again.").ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });

    /// <summary>GET /api/auth/antiforgery: the request token for the signed-in member's page (the matching cookie comes with it).</summary>
    public static Ok<AntiforgeryTokenDto> Token(HttpContext http, IAntiforgery antiforgery) =>
        TypedResults.Ok(new AntiforgeryTokenDto(antiforgery.GetAndStoreTokens(http).RequestToken!));

    private static bool NeedsAntiforgery(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
            return false;
        if (!request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/api/auth/login")) return false;
        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        // Anonymous requests fall through to the endpoint's own 401.
        return context.User.Identity?.IsAuthenticated == true;
    }

    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        // Non-browser clients send no Origin; they authenticate with a bearer token. The scheme is not
        // compared: behind a TLS-terminating proxy the request arrives as http.
        if (origin.Length == 0) return true;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static ProblemHttpResult Problem(int status, string code, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: Problems.RefusalHandler.TitleOf(status),
            extensions: new Dictionary<string, object?> { ["code"] = code });
}

public sealed record AntiforgeryTokenDto(string Token);
