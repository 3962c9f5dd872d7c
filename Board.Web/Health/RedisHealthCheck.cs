using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Board.Web.Health;

/// <summary>
/// Ready when Redis answers PING within two seconds. One connection of its own, made on first use and kept: while
/// Redis is down the multiplexer keeps reconnecting in the background (every second), so readiness returns as soon as Redis does.
/// </summary>
public sealed class RedisHealthCheck(string configuration) : IHealthCheck, IAsyncDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        try
        {
            var connection = await ConnectAsync(ct);
            var roundTrip = await connection.GetDatabase().PingAsync().WaitAsync(PingTimeout, ct);
            return HealthCheckResult.Healthy($"PING {roundTrip.TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer", ex);
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken ct)
    {
        if (_connection is { } existing) return existing;
        await _connecting.WaitAsync(ct);
        try
        {
            if (_connection is { } raced) return raced;
            var options = ConfigurationOptions.Parse(configuration);
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = (int)PingTimeout.TotalMilliseconds;
            options.ReconnectRetryPolicy = new LinearRetry(1000);
            options.ClientName = "board-health";
            return _connection = await ConnectionMultiplexer.ConnectAsync(options);
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection) await connection.DisposeAsync();
        _connecting.Dispose();
    }
}
