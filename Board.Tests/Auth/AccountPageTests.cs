using System.Net;
using Board.Tests.Security;
using Board.Web.Demo;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Auth;

/// <summary>My account: a member changes their password in the page; it stays signed in, their other sessions end.</summary>
[Trait("Kind", "Browser")]
public sealed class AccountPageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ChangingThePassword_InThePage_KeepsItSignedIn_AndEndsTheOtherSessions()
    {
        var email = await PasswordChangeTests.NewMemberAsync(app);
        using var elsewhere = await app.SignInAsync(email);
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "member");
        var page = screen.Page;
        await page.GotoAsync("/");
        await page.Locator("#signin-email").FillAsync(email);
        await page.Locator("#signin-password").FillAsync(DemoSeeder.Password);
        await page.Locator(".signin-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#board-title")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "My account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change password" })).ToBeVisibleAsync();
        await screen.AssertAccessibleAsync("my account");

        await page.GetByLabel("Current password").FillAsync("Wrong!pass1");
        await page.GetByLabel("New password").FillAsync(PasswordChangeTests.NewPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator("#password-current-error")).ToHaveTextAsync("The current password is not right.");
        await Expect(page.GetByLabel("Current password")).ToHaveAttributeAsync("aria-invalid", "true");

        await page.GetByLabel("Current password").FillAsync(DemoSeeder.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator("#password-done")).ToHaveTextAsync("Your password is changed. Your other sessions are signed out.");
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.Client.GetAsync("/api/me")).StatusCode);

        // This page goes on: a reload is still signed in.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My account" })).ToBeVisibleAsync();
        await screen.ScreenshotAsync("account-password.png");
    }
}
