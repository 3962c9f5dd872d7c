using Board.Web.Hosting;

namespace Board.Web.Expiry;

public static class ExpirySetup
{
    public static IServiceCollection AddExpiry(this IServiceCollection services)
    {
        services.AddCheckedSettings<ExpirySettings>("Expiry");
        services.AddSingleton<ExpirySweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpirySweeper>());
        return services;
    }
}
