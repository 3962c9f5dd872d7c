using Board.Web.Hosting;
using StackExchange.Redis;

namespace Board.Web.Realtime;

public static class RealtimeSetup
{
    /// <summary>A StackExchange.Redis configuration string; set, instances share hub groups and presence through Redis.</summary>
    public const string RedisKey = "SignalR:Redis";

    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedSettings<RealtimeSettings>("Realtime");
        services.AddSingleton<TrailSignal>();
        services.AddSingleton<Persistence.ICommitObserver>(sp => sp.GetRequiredService<TrailSignal>());
        services.AddSingleton<PresenceTracker>();
        var signalR = services.AddSignalR();
        if (RedisOptions(configuration) is { } redis)
        {
            // One multiplexer for the backplane and presence. It connects in the background and keeps retrying, so a
            // Redis that is down at start delays live updates between instances, not the start itself.
            var multiplexer = new Lazy<Task<IConnectionMultiplexer>>(async () => await ConnectionMultiplexer.ConnectAsync(redis));
            services.AddSingleton(new RedisConnection(multiplexer, redis.ChannelPrefix.ToString() is { Length: > 0 } p ? p : "board"));
            signalR.AddStackExchangeRedis(o =>
            {
                o.Configuration = redis;
                o.ConnectionFactory = async _ => await multiplexer.Value;
            });
            services.AddSingleton<IPresenceStore, RedisPresenceStore>();
        }
        else
            services.AddSingleton<IPresenceStore, LocalPresenceStore>();
        services.AddSingleton<PresenceBroadcaster>();
        services.AddHostedService(sp => sp.GetRequiredService<PresenceBroadcaster>());
        services.AddHostedService<TrailBroadcaster>();
        services.AddHostedService<HeadBroadcaster>();
        return services;
    }

    /// <summary><c>SignalR:Redis</c> parsed, or null when unset; a string that is not a usable configuration stops the start, naming the key.</summary>
    public static ConfigurationOptions? RedisOptions(IConfiguration configuration)
    {
        var value = configuration[RedisKey];
        if (string.IsNullOrWhiteSpace(value)) return null;
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(value);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            throw new SettingException($"{RedisKey} is not a valid StackExchange.Redis configuration string: {ex.Message} (for example 127.0.0.1:6379).", ex);
        }
        if (options.EndPoints.Count == 0)
            throw new SettingException($"{RedisKey} names no Redis server (host:port), for example 127.0.0.1:6379.");
        options.AbortOnConnectFail = false;
        return options;
    }
}
