using Board.Web.Proposals;

namespace Board.Web.Realtime;

public static class RealtimeSetup
{
    /// <summary>A StackExchange.Redis configuration string; set, instances share hub groups and presence through Redis.</summary>
    public const string RedisKey = "SignalR:Redis";

    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<TrailSignal>();
        services.AddSingleton<PresenceTracker>();
        services.AddSingleton<ProposalViews>();
        services.AddSignalR();
        services.AddHostedService<TrailBroadcaster>();
        return services;
    }
}
