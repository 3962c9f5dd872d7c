namespace Board.Web.Security;

public static class SecuritySetup
{
    /// <summary>Forwarded headers from trusted proxies, the browser request guard and the rate limits.</summary>
    public static IServiceCollection AddBoardSecurity(this IServiceCollection services, IConfiguration configuration) => services
        .AddTransport(configuration)
        .AddBrowserRequestGuard()
        .AddRateLimits(configuration);

    /// <summary>First in the pipeline: the real client address and scheme, then the headers every answer carries.</summary>
    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        return app;
    }
}
