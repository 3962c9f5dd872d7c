using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Board.Web.Health;

/// <summary>
/// <c>/healthz/live</c>: the process answers (no dependency is asked, so a database outage never gets the process restarted).
/// <c>/healthz/ready</c> and <c>/healthz</c>: the database answers, and Redis when <c>SignalR:Redis</c> is set; 503 otherwise.
/// </summary>
public static class HealthSetup
{
    private const string Ready = "ready";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddBoardHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [Ready], timeout: Timeout);
        if (configuration["SignalR:Redis"] is { Length: > 0 } redis)
        {
            services.AddSingleton(new RedisHealthCheck(redis));
            checks.AddCheck<RedisHealthCheck>("redis", tags: [Ready], timeout: Timeout);
        }
        return services;
    }

    public static IEndpointRouteBuilder MapBoardHealth(this IEndpointRouteBuilder app)
    {
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync };
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/healthz/ready", ready);
        app.MapHealthChecks("/healthz", ready);
        return app;
    }

    /// <summary>Each check's status and time; why one failed goes to the log (the health service logs it), not to anonymous callers.</summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1) }),
        }, cancellationToken: http.RequestAborted);
    }
}
