using Board.Web.Hosting;
using Board.Web.Webhooks;
using Microsoft.Extensions.Options;

namespace Board.Web.Push;

public static class PushSetup
{
    /// <summary>Registers Web Push. The VAPID key is loaded by <see cref="LoadPushKeys"/>, once the settings are checked.</summary>
    public static IServiceCollection AddPush(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddCheckedSettings<PushOptions>(PushOptions.Section);
        services.AddSingleton(_ => VapidKeys.Load(configuration, environment));
        // The webhooks' address rule: internal addresses only where that is the point, a developer's own stand-in.
        var allowPrivate = configuration.GetValue<bool?>($"{PushOptions.Section}:AllowPrivateNetworks") ?? environment.IsDevelopment();
        services.PostConfigure<PushOptions>(o => o.AllowPrivateNetworks = allowPrivate);
        services.AddSingleton<PushSignal>();
        services.AddSingleton<Persistence.ICommitObserver, PushOutbox>();
        services.AddTransient<VapidAudienceHandler>();
        services.AddHttpClient(PushOptions.HttpClientName).ConfigureHttpClient((sp, c) =>
        {
            c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<PushOptions>>().Value.TimeoutSeconds + 1);
            c.DefaultRequestHeaders.UserAgent.ParseAdd("Board-Push/1.0");
        }).ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<PushOptions>>().Value.TimeoutSeconds),
            ConnectCallback = (context, ct) => AddressGuard.ConnectAsync(context, allowPrivate, ct),
            UseProxy = false,
        }).AddHttpMessageHandler<VapidAudienceHandler>();
        services.AddHostedService<PushDispatcher>();
        return services;
    }

    /// <summary>Loads the VAPID key now: a missing or unreadable key stops the start (<see cref="Hosting.SettingException"/>), not the first push.</summary>
    public static void LoadPushKeys(this IServiceProvider services) => services.GetRequiredService<VapidKeys>();
}
