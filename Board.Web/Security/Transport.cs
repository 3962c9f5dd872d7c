using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Board.Web.Security;

/// <summary>
/// Behind a TLS-terminating reverse proxy: <c>X-Forwarded-For</c>/<c>-Proto</c> are believed from trusted proxies only
/// (loopback unless <c>ForwardedHeaders:KnownProxies</c> / <c>ForwardedHeaders:KnownNetworks</c> say otherwise), so the
/// client address the limits count and the scheme the cookies follow are the real ones, and nobody else can forge them.
/// </summary>
public static class Transport
{
    public static IServiceCollection AddTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            var proxies = configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [];
            var networks = configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [];
            if (proxies.Length + networks.Length > 0)
            {
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                foreach (var proxy in proxies) o.KnownProxies.Add(IPAddress.Parse(proxy));
                foreach (var network in networks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
            else
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse("127.0.0.0/8"));
                o.KnownProxies.Add(IPAddress.IPv6Loopback);
            }
        });
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = false;
        });
        return services;
    }
}
