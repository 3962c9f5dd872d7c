using System.Security.Claims;
using System.Threading.RateLimiting;
using Board.Web.Hosting;
using Board.Web.Security;
using Microsoft.AspNetCore.RateLimiting;

namespace Board.Web.Trail;

/// <summary>
/// Verifying recomputes the whole chain (seconds of CPU at a million entries) and any member may ask, so an
/// instance runs one at a time; a few more wait their turn and the rest are told to come back (429, code <c>busy</c>).
/// The line is fair: each member holds at most one place in it (running or waiting), so one member pressing again
/// and again cannot fill it and keep everyone else out. The answer is never cached: a cached "valid" would hide a
/// file tampered with since.
/// </summary>
public static class VerifyLimit
{
    public const string Policy = "audit-verify";

    public static IServiceCollection AddVerifyLimit(this IServiceCollection services, IConfiguration configuration) =>
        services.AddCheckedSettings<TrailSettings>("Trail").AddRateLimiter(o =>
        {
            o.AddPolicy<string, FairVerifyPolicy>(Policy);
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

    /// <summary>One place per member (running or waiting), in front of the instance's one line of verifies.</summary>
    private sealed class FairVerifyPolicy : IRateLimiterPolicy<string>, IDisposable
    {
        private readonly ConcurrencyLimiter _line;

        public FairVerifyPolicy(IConfiguration configuration) => _line = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, configuration.GetValue("Trail:VerifyConcurrency", 1)),
            QueueLimit = Math.Max(0, configuration.GetValue("Trail:VerifyQueue", 8)),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => null;

        public RateLimitPartition<string> GetPartition(HttpContext http)
        {
            var key = http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id ? "member:" + id : "address:" + RateLimits.AddressKey(http);
            return RateLimitPartition.Get(key, _ => new OnePlaceEach(
                new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 }), _line));
        }

        public void Dispose() => _line.Dispose();
    }

    /// <summary>The member's own place first, then the shared line; a lease holds both, and lets both go.</summary>
    private sealed class OnePlaceEach(ConcurrencyLimiter own, ConcurrencyLimiter line) : RateLimiter
    {
        public override TimeSpan? IdleDuration => own.IdleDuration;

        public override RateLimiterStatistics? GetStatistics() => own.GetStatistics();

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            var mine = own.AttemptAcquire(permitCount);
            if (!mine.IsAcquired) return mine;
            var turn = line.AttemptAcquire(permitCount);
            if (turn.IsAcquired) return new Both(mine, turn);
            mine.Dispose();
            return turn;
        }

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            var mine = await own.AcquireAsync(permitCount, cancellationToken);
            if (!mine.IsAcquired) return mine;
            RateLimitLease turn;
            try
            {
                turn = await line.AcquireAsync(permitCount, cancellationToken);
            }
            catch
            {
                mine.Dispose();
                throw;
            }
            if (turn.IsAcquired) return new Both(mine, turn);
            mine.Dispose();
            return turn;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) own.Dispose(); // the line is shared by every member and lives with the policy
            base.Dispose(disposing);
        }
    }

    private sealed class Both(RateLimitLease first, RateLimitLease second) : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                second.Dispose();
                first.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
