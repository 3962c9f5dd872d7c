using System.Net;
using System.Net.Http.Json;
using Board.Web.Boards;
using Board.Web.Trail;
using Microsoft.AspNetCore.Hosting;

namespace Board.Tests.Operations;

public sealed class ProductionApp : BoardApp
{
    public const string AdminEmail = "first-admin@example.org";
    public const string AdminPassword = "First-admin-1!";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Board:Admin:Email"] = AdminEmail,
        ["Board:Admin:Password"] = AdminPassword,
        ["Board:Admin:Name"] = "First admin",
        // Outside Development the VAPID key is required, as a file.
        ["Keys:VapidKey"] = TestKeys.VapidKeyFile(Folder),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

/// <summary>Production never seeds demo data; it creates the first admin from configuration, once.</summary>
[Trait("Kind", "Api")]
public sealed class ProductionStartTests(ProductionApp app) : IClassFixture<ProductionApp>
{
    [Fact]
    public async Task FirstStart_CreatesOnlyTheConfiguredAdmin()
    {
        using var client = app.Anonymous();
        var demo = await client.PostAsJsonAsync("/api/auth/login", new { email = "staff1@demo.board", password = Board.Web.Demo.DemoSeeder.Password });
        await demo.IsProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");

        using var admin = await app.SignInAsync(ProductionApp.AdminEmail, ProductionApp.AdminPassword);
        Assert.Equal(["admin"], admin.Member.Roles);
        Assert.Empty((await admin.Client.GetFromJsonAsync<List<BoardDto>>("/api/boards", BoardApp.Json))!);
        var trail = (await admin.Client.GetFromJsonAsync<TrailPage>("/api/audit", BoardApp.Json))!;
        var created = Assert.Single(trail.Items);
        Assert.Equal("member.created", created.Action);
        Assert.Equal("system", created.Actor.Name);
    }
}
