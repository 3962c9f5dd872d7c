namespace Board.Web.Security;

/// <summary>
/// Headers on every response: a Content-Security-Policy that allows no inline script or style (the page
/// is plain modules from this origin, and rendered Markdown can never run), no MIME sniffing, no referrer
/// leaking proposal URLs, and no framing. <c>connect-src 'self'</c> covers
/// the hub's WebSocket on this origin (CSP Level 3) and nothing else. The service worker and the web app manifest
/// come from this origin only (<c>worker-src</c>, <c>manifest-src</c>, said outright rather than left to default-src).
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "font-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Set as the response starts, so error responses (whose headers the exception handler clears) get them too.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.GetEndpoint()?.Metadata.GetMetadata<RouteContentSecurityPolicy>()?.Policy ?? ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });
}

/// <summary>Endpoint metadata: this route's page needs a policy of its own (the Development-only API reference).</summary>
public sealed record RouteContentSecurityPolicy(string Policy);
