using Microsoft.Playwright;

namespace Board.Tests;

/// <summary>
/// The real app plus one headless Debian Chromium for a whole test class. Playwright drives the system
/// browser (<c>apt-get install chromium</c>); its own browser download is never used.
/// </summary>
public class BrowserApp : BoardApp
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}

public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static string Artifacts { get; } = Directory.CreateDirectory(
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "artifacts")).FullName;

    public static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install -y chromium).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }
}
