namespace Board.Web.Webhooks;

public static class WebhookSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookSignal>();
        services.AddScoped<Persistence.ICommitObserver, WebhookOutbox>();
        var timeout = TimeSpan.FromSeconds(configuration.GetValue($"{WebhookOptions.Section}:TimeoutSeconds", 10.0));
        services.AddHttpClient(WebhookOptions.HttpClientName, c =>
        {
            c.Timeout = timeout + TimeSpan.FromSeconds(1); // the dispatcher's own timeout fires first and is reported as such
            c.DefaultRequestHeaders.UserAgent.ParseAdd("Board-Webhooks/1.0");
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            // A redirect is an answer, not a new target: the signed body goes only where the admin said.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = timeout,
        });
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
