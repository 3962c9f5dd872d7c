using Microsoft.Extensions.Options;

namespace Board.Web.Webhooks;

public static class WebhookSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookSignal>();
        services.AddScoped<Persistence.ICommitObserver, WebhookOutbox>();
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
        });
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
