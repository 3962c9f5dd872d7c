using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Board.Web.Hosting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Board.Web.Security;

/// <summary>
/// Where a limit is counted. Without Redis, in this instance. With <c>SignalR:Redis</c> set, in Redis
/// (RedisRateLimiting), once for all instances together, so N instances do not give N times the allowance. While
/// Redis cannot be reached, each instance counts on its own again (<see cref="SharedLimiter"/>): a Redis outage
/// must not stop writes and sign-ins, and it must not lift the limits either.
/// </summary>
public sealed class SharedLimits(IServiceProvider services)
{
    private readonly RedisConnection? _redis = services.GetService<RedisConnection>();

    public bool Shared => _redis is not null;

    /// <param name="track">Sees each limiter made, for the RateLimit headers.</param>
    public RateLimitPartition<string> TokenBucket(string key, Func<RateLimiter, RateLimiter> track, TokenBucketRateLimiterOptions options) =>
        _redis is not { } redis
            ? RateLimitPartition.Get(key, _ => track(new TokenBucketRateLimiter(options)))
            : RateLimitPartition.Get(key, k => track(new SharedLimiter(
                new RedisTokenBucketRateLimiter<string>(RedisKey(redis, k), new RedisTokenBucketRateLimiterOptions
                {
                    TokenLimit = options.TokenLimit,
                    TokensPerPeriod = options.TokensPerPeriod,
                    ReplenishmentPeriod = options.ReplenishmentPeriod,
                    ConnectionMultiplexerFactory = () => Multiplexer(redis),
                }),
                new TokenBucketRateLimiter(options), redis)));

    /// <param name="track">Sees each limiter made, for the RateLimit headers.</param>
    public RateLimitPartition<string> SlidingWindow(string key, Func<RateLimiter, RateLimiter> track, SlidingWindowRateLimiterOptions options) =>
        _redis is not { } redis
            ? RateLimitPartition.Get(key, _ => track(new SlidingWindowRateLimiter(options)))
            : RateLimitPartition.Get(key, k => track(new SharedLimiter(
                new RedisSlidingWindowRateLimiter<string>(RedisKey(redis, k), new RedisSlidingWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    Window = options.Window,
                    ConnectionMultiplexerFactory = () => Multiplexer(redis),
                }),
                new SlidingWindowRateLimiter(options), redis)));

    /// <summary>The partition's key in Redis: hashed, so that Redis holds no email or client address.</summary>
    private static string RedisKey(RedisConnection redis, string key) =>
        $"{redis.Prefix}:limit:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 16)}";

    private static IConnectionMultiplexer Multiplexer(RedisConnection redis) => redis.Multiplexer.Value.GetAwaiter().GetResult();
}

/// <summary>The Redis limiter while Redis answers; this instance's own limiter while it does not.</summary>
public sealed class SharedLimiter(RateLimiter shared, RateLimiter local, RedisConnection redis) : RateLimiter
{
    private bool Connected => redis.Multiplexer.Value is { IsCompletedSuccessfully: true } connecting && connecting.Result.IsConnected;

    public override TimeSpan? IdleDuration => local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (!Connected) return local.AttemptAcquire(permitCount);
        try
        {
            return shared.AttemptAcquire(permitCount);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return local.AttemptAcquire(permitCount);
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (!Connected) return await local.AcquireAsync(permitCount, cancellationToken);
        try
        {
            return await shared.AcquireAsync(permitCount, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return await local.AcquireAsync(permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            local.Dispose();
        }
        base.Dispose(disposing);
    }
}
