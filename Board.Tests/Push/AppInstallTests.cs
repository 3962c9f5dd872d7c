using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Push;

/// <summary>Board on a phone as an app: manifest and icons, the service worker, the offline page, and the push switch.</summary>
[Trait("Kind", "Browser")]
public sealed class AppInstallTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private async Task<Screen> SignedInPhoneAsync(string who, string locale = "en-US")
    {
        var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, who, Screen.Phone, locale);
        await screen.SignInAsync(who);
        return screen;
    }

    /// <summary>Waits until the service worker is active and controls the page (the first load is not controlled: a reload is).</summary>
    private static async Task ControlledAsync(Screen screen)
    {
        await screen.Page.EvaluateAsync("() => navigator.serviceWorker.ready");
        if (!await screen.Page.EvaluateAsync<bool>("() => navigator.serviceWorker.controller !== null"))
        {
            await screen.Page.ReloadAsync();
            await screen.Page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");
        }
    }

    [Fact]
    public async Task Manifest_Icons_AndServiceWorker_Register()
    {
        await using var screen = await SignedInPhoneAsync("staff1");
        var page = screen.Page;

        Assert.Equal("/manifest.webmanifest", await page.Locator("link[rel=manifest]").GetAttributeAsync("href"));
        var manifest = await page.EvaluateAsync<JsonElement>("async () => { const r = await fetch('/manifest.webmanifest'); return { type: r.headers.get('Content-Type'), body: await r.json() }; }");
        Assert.StartsWith("application/manifest+json", manifest.GetProperty("type").GetString());
        var body = manifest.GetProperty("body");
        Assert.Equal("Board", body.GetProperty("name").GetString());
        Assert.Equal("standalone", body.GetProperty("display").GetString());
        Assert.Equal("/", body.GetProperty("start_url").GetString());
        Assert.Matches("^#[0-9a-f]{6}$", body.GetProperty("theme_color").GetString());
        Assert.Matches("^#[0-9a-f]{6}$", body.GetProperty("background_color").GetString());
        foreach (var icon in body.GetProperty("icons").EnumerateArray())
        {
            var size = int.Parse(icon.GetProperty("sizes").GetString()!.Split('x')[0]);
            var natural = await page.EvaluateAsync<int[]>(
                "src => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok([i.naturalWidth, i.naturalHeight]); i.onerror = fail; i.src = src; })",
                icon.GetProperty("src").GetString());
            Assert.Equal([size, size], natural);
        }
        Assert.Equal([192, 512], body.GetProperty("icons").EnumerateArray().Select(i => int.Parse(i.GetProperty("sizes").GetString()!.Split('x')[0])).Order());

        var worker = await page.EvaluateAsync<string>("async () => (await navigator.serviceWorker.ready).active.scriptURL");
        Assert.Equal(new Uri(app.BaseAddress, "/sw.js").ToString(), worker);
        await ControlledAsync(screen);
        Assert.Empty(screen.Errors);
    }

    [Fact]
    public async Task OfflineReload_ShowsTheOfflinePage_AndNoApiResponseIsCached()
    {
        await using var screen = await SignedInPhoneAsync("ops1");
        await ControlledAsync(screen);
        await Expect(screen.Page.Locator("#board-title")).ToBeVisibleAsync();
        await screen.GoAsync("#/waiting");
        await Expect(screen.Page.Locator("main h1")).ToBeVisibleAsync();

        await screen.Context.SetOfflineAsync(true);
        await screen.Page.ReloadAsync();
        await Expect(screen.Page.GetByRole(AriaRole.Heading, new() { Name = "You are offline" })).ToBeVisibleAsync();
        await Expect(screen.Page.GetByRole(AriaRole.Heading, new() { Name = "오프라인 상태입니다" })).ToBeVisibleAsync();
        await Expect(screen.Page.Locator("body")).ToHaveCSSAsync("margin-top", "0px"); // the shell's styles came from the cache
        await screen.ScreenshotAsync("offline-phone.png");
        await screen.AssertAccessibleAsync("the offline page");

        // What the cache holds: the shell only, never a member's data.
        var cached = await screen.Page.EvaluateAsync<string[]>(
            "async () => (await Promise.all((await caches.keys()).map(async n => (await (await caches.open(n)).keys()).map(r => new URL(r.url).pathname)))).flat()");
        Assert.Contains("/offline.html", cached);
        Assert.Contains("/app.js", cached);
        Assert.DoesNotContain(cached, p => p.StartsWith("/api/", StringComparison.Ordinal) || p.StartsWith("/hubs/", StringComparison.Ordinal));

        await screen.Context.SetOfflineAsync(false);
        await screen.Page.GetByRole(AriaRole.Link, new() { Name = "Try again · 다시 시도" }).ClickAsync();
        await Expect(screen.Page.Locator("#board-title")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task PushSwitch_AsksForPermissionOnlyWhenTurnedOn_ByKeyboard_AndIsAccessible()
    {
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ops2", Screen.Phone);
        // Counts the page's permission requests: none may happen before the member asks for notifications.
        await screen.Page.AddInitScriptAsync("""
            (() => {
              if (typeof Notification === 'undefined') return;
              window.__permissionRequests = 0;
              const ask = Notification.requestPermission.bind(Notification);
              Notification.requestPermission = (...args) => { window.__permissionRequests++; return ask(...args); };
            })();
            """);
        await screen.SignInAsync("ops2");
        await screen.Page.WaitForTimeoutAsync(300);
        Assert.Equal(0, await screen.Page.EvaluateAsync<int>("() => window.__permissionRequests"));

        await screen.Page.Locator("#notices-toggle").ClickAsync();
        var toggle = screen.Page.GetByRole(AriaRole.Switch, new() { Name = "Notifications on this device" });
        await Expect(toggle).ToBeVisibleAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-checked", "false");
        await Expect(toggle).ToContainTextAsync("Off");
        await screen.AssertAccessibleAsync("the notifications menu with the push switch");

        await toggle.FocusAsync();
        await screen.Page.Keyboard.PressAsync("Space");
        await screen.Page.WaitForFunctionAsync("() => window.__permissionRequests === 1");
        // Headless Chromium answers without asking anyone: not granted, so the switch stays off and says why.
        await Expect(screen.Page.Locator("#push-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("not allowed|blocks notifications"));
        await Expect(toggle).ToHaveAttributeAsync("aria-checked", "false");
        await screen.ScreenshotAsync("push-switch-phone.png", fullPage: false);
        Assert.Empty(screen.Errors);
    }

    [Fact]
    public async Task PushSwitch_SpeaksKorean()
    {
        await using var screen = await SignedInPhoneAsync("ops3", "ko-KR");
        await screen.Page.Locator("#notices-toggle").ClickAsync();
        var toggle = screen.Page.GetByRole(AriaRole.Switch, new() { Name = "이 기기에서 알림 받기" });
        await Expect(toggle).ToBeVisibleAsync();
        await Expect(toggle).ToContainTextAsync("꺼짐");
        await screen.AssertAccessibleAsync("the notifications menu in Korean");
    }
}
