using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Board.Web.Security;

/// <summary>
/// The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers) on every answer of a rate-limited route:
/// <c>RateLimit-Policy: "writes";q=20;w=60</c> says the limit, <c>RateLimit: "writes";r=17;t=2</c> what is left of it
/// and when more comes (r=0 on a 429, whose <c>Retry-After</c> the limiter sets). The state is read from the limiter
/// that counted the request (<see cref="Track"/>); where none is readable, only the policy is sent.
/// </summary>
public static class RateLimitHeaders
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    /// <summary>The policies whose answers carry the fields (a concurrency limit has no quota per window to state).</summary>
    public static bool Describes(string policy) => policy is RateLimits.WritePolicy or RateLimits.SignInPolicy;

    private static readonly ConcurrentDictionary<(string Policy, string Key), WeakReference<RateLimiter>> Limiters = new();

    /// <summary>Remembers the limiter a policy made for a partition, so the headers can say what is left of it.</summary>
    public static RateLimiter Track(string policy, string key, RateLimiter limiter)
    {
        Limiters[(policy, key)] = new WeakReference<RateLimiter>(limiter);
        if (Limiters.Count > 10_000)
            foreach (var (k, weak) in Limiters)
                if (!weak.TryGetTarget(out _)) Limiters.TryRemove(k, out _);
        return limiter;
    }

    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
            if (policy is not null && Describe(context, policy) is { } described)
                context.Response.OnStarting(() => { Write(context, policy, described); return Task.CompletedTask; });
            return next(context);
        });

    private sealed record Described(int Quota, int WindowSeconds, Func<string> Key);

    private static Described? Describe(HttpContext http, string policy)
    {
        var o = http.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        return policy switch
        {
            RateLimits.WritePolicy => new(Math.Max(1, o.WriteBurst), Seconds(Math.Max(1, o.WriteBurst) * 60.0 / Math.Max(1, o.WritesPerMinute)),
                () => RateLimits.WritePartition(http)),
            RateLimits.SignInPolicy => new(Math.Max(1, o.SignInPerAddress), Seconds(o.SignInPerAddressWindowSeconds), () => RateLimits.AddressKey(http)),
            _ => null,
        };
    }

    private static int Seconds(double seconds) => (int)Math.Clamp(Math.Ceiling(seconds), 1, int.MaxValue);

    private static void Write(HttpContext http, string policy, Described d)
    {
        var headers = http.Response.Headers;
        headers[PolicyHeader] = string.Create(CultureInfo.InvariantCulture, $"\"{policy}\";q={d.Quota};w={d.WindowSeconds}");
        int? remaining = null;
        int reset = 0;
        if (http.Response.StatusCode == StatusCodes.Status429TooManyRequests)
        {
            remaining = 0;
            reset = int.TryParse(headers.RetryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var after) ? after : d.WindowSeconds;
        }
        else if (Limiters.TryGetValue((policy, d.Key()), out var weak) && weak.TryGetTarget(out var limiter)
            && limiter.GetStatistics() is { } statistics)
        {
            remaining = (int)Math.Clamp(statistics.CurrentAvailablePermits, 0, d.Quota);
            reset = remaining == d.Quota ? 0 : Seconds((double)d.WindowSeconds / d.Quota);
        }
        if (remaining is { } r) headers[StateHeader] = string.Create(CultureInfo.InvariantCulture, $"\"{policy}\";r={r};t={reset}");
    }
}
