using Board.Web.OpenApi;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Board.Web.Demo;

/// <summary>In Development, once listening: where the board is and who to sign in as.</summary>
public static class StartBanner
{
    public static void PrintWhenStarted(this WebApplication app, TextWriter console)
    {
        if (!app.Environment.IsDevelopment()) return;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            console.WriteLine();
            console.WriteLine($"Board is running at {string.Join(" and ", urls)}");
            if (urls.FirstOrDefault() is { } first) console.WriteLine($"API reference: {first.TrimEnd('/')}{ApiReference.Path}");
            if (app.Configuration.GetValue("Demo:Seed", true))
            {
                console.WriteLine($"Demo sign-ins, password {DemoSeeder.Password}:");
                foreach (var signIn in DemoSeeder.SignIns) console.WriteLine($"  {signIn.Email,-20} {string.Join(", ", signIn.Roles)}");
            }
            console.WriteLine();
        });
    }
}
