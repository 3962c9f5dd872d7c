using Board.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Board.Web.Webhooks;

public static class WebhookSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Internal addresses are reachable only where that is the point: a developer's own receiver.
        var allowPrivate = configuration.GetValue<bool?>($"{WebhookOptions.Section}:AllowPrivateNetworks") ?? environment.IsDevelopment();
        services.PostConfigure<WebhookOptions>(o => o.AllowPrivateNetworks = allowPrivate);
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddCheckedSettings<WebhookOptions>(WebhookOptions.Section);
        services.AddSingleton<Telemetry.IObservedMetric, OutboxAgeMetric>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<Trail.ICheckpointObserver, WebhookCheckpoints>();
        services.AddSingleton<Persistence.ICommitObserver, WebhookOutbox>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<Keys.IProtectedWithKeyRing>(sp => sp.GetRequiredService<WebhookSecrets>());
        services.AddHostedService<WebhookSecretUpgrade>();
        // Read from the options when the client is first made, after startup has checked them.
        services.AddHttpClient(WebhookOptions.HttpClientName).ConfigureHttpClient((sp, c) =>
        {
            // The dispatcher's own timeout fires first and is reported as such.
            c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.TimeoutSeconds + 1);
            c.DefaultRequestHeaders.UserAgent.ParseAdd("Board-Webhooks/1.0");
        }).ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
        {
            // A redirect is an answer, not a new target: the signed body goes only where the admin said.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.TimeoutSeconds),
            ConnectCallback = (context, ct) => AddressGuard.ConnectAsync(context, allowPrivate, ct),
            // A proxy would make the connect step check the proxy's address, not the target's.
            UseProxy = false,
        });
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
