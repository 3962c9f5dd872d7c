using Board.Web.Demo;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests;

/// <summary>One person's browser: its own context (cookies, storage, language), a page, and what it logged.</summary>
public sealed class Screen : IAsyncDisposable
{
    public static readonly ViewportSize Phone = new() { Width = 360, Height = 740 };
    public static readonly ViewportSize Laptop = new() { Width = 1280, Height = 800 };
    /// <summary>A current phone, 390 px wide.</summary>
    public static readonly ViewportSize Phone390 = new() { Width = 390, Height = 844 };

    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    public IPage Page { get; }
    public string Name { get; }
    /// <summary>The browser context: permissions, offline, storage.</summary>
    public IBrowserContext Context => _context;

    /// <summary>Console errors and uncaught exceptions, as "name: text".</summary>
    public IReadOnlyList<string> Errors => _errors;

    private Screen(string name, IBrowserContext context, IPage page)
    {
        Name = name;
        _context = context;
        Page = page;
        page.Console += (_, message) => { if (message.Type == "error") _errors.Add($"{name} console: {message.Text} ({message.Location})"); };
        page.PageError += (_, error) => _errors.Add($"{name} page error: {error}");
    }

    public static async Task<Screen> OpenAsync(
        IBrowser browser, Uri baseAddress, string name, ViewportSize? viewport = null, string locale = "en-US", ColorScheme colorScheme = ColorScheme.Light)
    {
        var phone = viewport is { Width: < 600 };
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = viewport ?? Laptop,
            IsMobile = phone,
            HasTouch = phone,
            Locale = locale,
            ColorScheme = colorScheme,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new Screen(name, context, page);
    }

    /// <summary>Signs in through the sign-in page and waits for the first board.</summary>
    public async Task SignInAsync(string who)
    {
        await Page.GotoAsync("/");
        await Page.Locator("#signin-email").FillAsync($"{who}@demo.board");
        await Page.Locator("#signin-password").FillAsync(DemoSeeder.Password);
        await Page.Locator(".signin-form button[type=submit]").ClickAsync();
        await Expect(Page.Locator("#board-title")).ToBeVisibleAsync();
        await WaitConnectedAsync();
    }

    /// <summary>Waits until the page watches its board on a live connection (it shows itself in presence).</summary>
    public async Task WaitConnectedAsync()
    {
        await Expect(Page.Locator("#connection")).ToBeHiddenAsync();
        await Page.WaitForFunctionAsync("() => document.querySelector('#presence .person') !== null || document.querySelector('#proposal-title') !== null");
    }

    public Task GoAsync(string hash) => Page.EvaluateAsync("h => { location.hash = h; }", hash);

    public async Task ScreenshotAsync(string file, bool fullPage = true) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.Artifacts, file), FullPage = fullPage });

    /// <summary>How far the page scrolls sideways (0 when nothing overflows the viewport).</summary>
    public Task<int> HorizontalOverflowAsync() =>
        Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
