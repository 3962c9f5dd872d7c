using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Board.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Board.Web.Security;

/// <summary>Configuration section <c>RateLimits</c>: how much one address, one account or one member may do.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in attempts from one client address (an IPv6 /64 counts as one) per window, whatever the accounts.</summary>
    public int SignInPerAddress { get; set; } = 30;
    public double SignInPerAddressWindowSeconds { get; set; } = 60;

    /// <summary>
    /// Sign-in attempts for one account from one address per window. Keyed by both, so a flood from one address
    /// uses up that address's allowance only: the member still signs in from anywhere else.
    /// </summary>
    public int SignInPerAccount { get; set; } = 10;
    public double SignInPerAccountWindowSeconds { get; set; } = 300;

    /// <summary>Writes by one member: a token bucket of <see cref="WriteBurst"/> refilled at <see cref="WritesPerMinute"/>.</summary>
    public int WritesPerMinute { get; set; } = 30;
    public int WriteBurst { get; set; } = 20;

    /// <summary>Previews by one member (the page asks as the author types): a bucket of <see cref="PreviewBurst"/> refilled at <see cref="PreviewsPerMinute"/>.</summary>
    public int PreviewsPerMinute { get; set; } = 120;
    public int PreviewBurst { get; set; } = 30;
}

/// <summary>
/// Limits with ASP.NET Core's rate limiter. Sign-in: per client address (the <see cref="SignInPolicy"/> on the
/// endpoint) and per (account, address) in <see cref="SignInLimiter"/>, once the body names the account — never per
/// account alone, which would let anyone lock a member out. Writes: per member. Beyond a limit: 429
/// <c>rate-limited</c> with <c>Retry-After</c>.
/// </summary>
public static class RateLimits
{
    public const string SignInPolicy = "sign-in";
    public const string WritePolicy = "writes";
    public const string PreviewPolicy = "previews";
    public const string Code = "rate-limited";

    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        services.AddSingleton<SharedLimits>();
        services.AddSingleton<SignInLimiter>();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy<string, SignInAddressPolicy>(SignInPolicy);
            o.AddPolicy<string, MemberWritesPolicy>(WritePolicy);
            o.AddPolicy<string, MemberPreviewsPolicy>(PreviewPolicy);
        });
        return services;
    }

    /// <summary>
    /// The client address as a partition key: after forwarded headers, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64
    /// (one host usually holds a whole /64, so counting single IPv6 addresses would count nothing).
    /// </summary>
    public static string AddressKey(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>Whose writes a request counts against: the signed-in member, else the client address.</summary>
    public static string WritePartition(HttpContext http) =>
        http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id ? "member:" + id : "address:" + AddressKey(http);

    public static TimeSpan RetryAfterOf(RateLimitLease lease, TimeSpan fallback) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : fallback;

    /// <summary>The 429 every limit answers with: <c>rate-limited</c>, and <c>Retry-After</c> in whole seconds.</summary>
    public static ProblemHttpResult Rejected(HttpContext http, TimeSpan retryAfter, string detail)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, int.MaxValue);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: RefusalHandler.TitleOf(429),
            extensions: new Dictionary<string, object?> { ["code"] = Code, ["retryAfter"] = seconds });
    }

    private static ValueTask OnRejected(OnRejectedContext context, TimeSpan fallback, string detail) =>
        new(Rejected(context.HttpContext, RetryAfterOf(context.Lease, fallback), detail).ExecuteAsync(context.HttpContext));

    private sealed class SignInAddressPolicy(IOptionsMonitor<RateLimitOptions> options, SharedLimits limits) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (context, _) =>
            RateLimits.OnRejected(context, TimeSpan.FromSeconds(options.CurrentValue.SignInPerAddressWindowSeconds),
                "Too many sign-in attempts from this address. Wait a moment and try again.");

        public RateLimitPartition<string> GetPartition(HttpContext http)
        {
            var o = options.CurrentValue;
            var address = AddressKey(http);
            return limits.SlidingWindow("sign-in:" + address, limiter => RateLimitHeaders.Track(SignInPolicy, address, limiter), new SlidingWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, o.SignInPerAddress),
                Window = TimeSpan.FromSeconds(Math.Max(1, o.SignInPerAddressWindowSeconds)),
                SegmentsPerWindow = 6,
                QueueLimit = 0,
            });
        }
    }

    /// <summary>Per member (the signed-in id); anonymous writes are refused anyway, and count per address until then.</summary>
    private sealed class MemberWritesPolicy(IOptionsMonitor<RateLimitOptions> options, SharedLimits limits) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (context, _) =>
            RateLimits.OnRejected(context, TimeSpan.FromSeconds(60.0 / Math.Max(1, options.CurrentValue.WritesPerMinute)),
                "You are making changes faster than anyone could read them. Wait a moment and try again.");

        public RateLimitPartition<string> GetPartition(HttpContext http)
        {
            var o = options.CurrentValue;
            var key = WritePartition(http);
            return limits.TokenBucket("writes:" + key, limiter => RateLimitHeaders.Track(WritePolicy, key, limiter), new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, o.WriteBurst),
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromSeconds(60.0 / Math.Max(1, o.WritesPerMinute)),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        }
    }
}

/// <summary>Previews per member: rendering costs the instance CPU, so a member typing is served and a flood is not.</summary>
internal sealed class MemberPreviewsPolicy(IOptionsMonitor<RateLimitOptions> options) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (context, _) =>
        new(RateLimits.Rejected(context.HttpContext,
            RateLimits.RetryAfterOf(context.Lease, TimeSpan.FromSeconds(60.0 / Math.Max(1, options.CurrentValue.PreviewsPerMinute))),
            "Too many previews at once. Wait a moment and try again.").ExecuteAsync(context.HttpContext));

    public RateLimitPartition<string> GetPartition(HttpContext http)
    {
        var o = options.CurrentValue;
        var key = http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id ? "member:" + id : "address:" + RateLimits.AddressKey(http);
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, o.PreviewBurst),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(60.0 / Math.Max(1, o.PreviewsPerMinute)),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}

/// <summary>Sign-in attempts per (account, client address): checked in the handler, once the body has named the account.</summary>
public sealed class SignInLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public SignInLimiter(IOptions<RateLimitOptions> options, SharedLimits limits)
    {
        var o = options.Value;
        _window = TimeSpan.FromSeconds(Math.Max(1, o.SignInPerAccountWindowSeconds));
        _limiter = PartitionedRateLimiter.Create<string, string>(key => limits.SlidingWindow("sign-in-account:" + key, limiter => limiter,
            new SlidingWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, o.SignInPerAccount),
                Window = _window,
                SegmentsPerWindow = 10,
                QueueLimit = 0,
            }));
    }

    /// <summary>Null when the attempt may go ahead; otherwise how long to wait.</summary>
    public async ValueTask<TimeSpan?> TryAttemptAsync(string email, HttpContext http)
    {
        // Acquire rather than attempt: a limiter counted in Redis answers only asynchronously. Nothing queues (QueueLimit 0).
        using var lease = await _limiter.AcquireAsync(email.Trim().ToUpperInvariant() + "|" + RateLimits.AddressKey(http), cancellationToken: http.RequestAborted);
        return lease.IsAcquired ? null : RateLimits.RetryAfterOf(lease, _window);
    }

    public void Dispose() => _limiter.Dispose();
}
