using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace Board.Tests.Security;

/// <summary>Production behind a TLS-terminating proxy on loopback (the default trusted proxy).</summary>
public class ProxiedProductionApp : BoardApp
{
    public const string AdminEmail = "proxied-admin@example.org";
    public const string AdminPassword = "Proxied-admin-1!";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Board:Admin:Email"] = AdminEmail,
        ["Board:Admin:Password"] = AdminPassword,
        // Outside Development the VAPID key is required, as a file.
        ["Keys:VapidKey"] = TestKeys.VapidKeyFile(Folder),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

/// <summary>The same, but the only trusted proxy is elsewhere: what loopback says about the scheme is not believed.</summary>
public sealed class UntrustedProxyApp : ProxiedProductionApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["ForwardedHeaders:KnownProxies:0"] = "10.20.30.40",
    };
}

[Trait("Kind", "Api")]
public sealed class TransportTests(ProxiedProductionApp app) : IClassFixture<ProxiedProductionApp>
{
    internal static async Task<HttpResponseMessage> LoginAsync(BoardApp app, bool viaHttpsProxy)
    {
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { email = ProxiedProductionApp.AdminEmail, password = ProxiedProductionApp.AdminPassword }),
        };
        request.Headers.Host = "board.example.org";
        if (viaHttpsProxy)
        {
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", "198.51.100.4");
        }
        return await client.SendAsync(request);
    }

    private static string AuthCookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("board.auth=", StringComparison.Ordinal));

    [Fact]
    public async Task BehindATrustedHttpsProxy_TheCookieIsSecure_AndHstsIsSent()
    {
        var response = await LoginAsync(app, viaHttpsProxy: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("secure", AuthCookie(response), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task OverPlainHttp_NoSecureFlagAndNoHsts()
    {
        var response = await LoginAsync(app, viaHttpsProxy: false);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("secure", AuthCookie(response), StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task OpenApi_OutsideDevelopment_IsForAdministratorsOnly()
    {
        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        using var admin = await app.SignInAsync(ProxiedProductionApp.AdminEmail, ProxiedProductionApp.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Csp_ConnectsToThisOriginOnly()
    {
        using var client = app.Anonymous();
        var csp = string.Join(";", (await client.GetAsync("/")).Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("connect-src 'self';", csp);
        Assert.DoesNotContain("ws:", csp);
        Assert.DoesNotContain("wss:", csp);
    }
}

[Trait("Kind", "Api")]
public sealed class UntrustedProxyTests(UntrustedProxyApp app) : IClassFixture<UntrustedProxyApp>
{
    [Fact]
    public async Task ForwardedHeaders_FromAnUntrustedPeer_AreIgnored()
    {
        var response = await TransportTests.LoginAsync(app, viaHttpsProxy: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("secure", Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("board.auth=", StringComparison.Ordinal)),
            StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
