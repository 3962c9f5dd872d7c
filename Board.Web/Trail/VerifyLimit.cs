using System.Threading.RateLimiting;
using Board.Web.Hosting;
using Microsoft.AspNetCore.RateLimiting;

namespace Board.Web.Trail;

/// <summary>
/// Verifying recomputes the whole chain (seconds of CPU at a million entries) and any member may ask, so an
/// instance runs one at a time; a few more wait their turn and the rest are told to come back (429, code <c>busy</c>).
/// The answer is never cached: a cached "valid" would hide a file tampered with since.
/// </summary>
public static class VerifyLimit
{
    public const string Policy = "audit-verify";

    public static IServiceCollection AddVerifyLimit(this IServiceCollection services, IConfiguration configuration) =>
        services.AddCheckedSettings<TrailSettings>("Trail").AddRateLimiter(o =>
        {
            o.AddConcurrencyLimiter(Policy, l =>
            {
                l.PermitLimit = Math.Max(1, configuration.GetValue("Trail:VerifyConcurrency", 1));
                l.QueueLimit = Math.Max(0, configuration.GetValue("Trail:VerifyQueue", 8));
                l.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (rejected, ct) =>
            {
                var http = rejected.HttpContext;
                http.Response.Headers.RetryAfter = "5";
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "The trail is being verified for others right now. Try again in a few seconds.",
                        Extensions = { ["code"] = "busy" },
                    },
                });
            };
        });
}
