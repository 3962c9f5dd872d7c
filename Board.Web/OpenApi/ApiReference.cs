using Board.Web.Security;
using Scalar.AspNetCore;

namespace Board.Web.OpenApi;

/// <summary>
/// Development only: an interactive reference of <c>/openapi/v1.json</c> (Scalar) at <c>/scalar/v1</c>. Its page starts
/// itself with an inline module script and styles itself inline, so its routes get a policy of their own that allows
/// exactly that — everything still from this origin, nothing fetched from elsewhere (no CDN fonts, no telemetry).
/// </summary>
public static class ApiReference
{
    public const string Path = "/scalar/v1";

    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
        "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment()) return app;
        app.MapScalarApiReference(o => o
                .WithTitle("Board API")
                .DisableDefaultFonts()
                .DisableTelemetry())
            .WithMetadata(new RouteContentSecurityPolicy(ContentSecurityPolicy));
        return app;
    }
}
