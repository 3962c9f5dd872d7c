using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Browser;

public sealed class LiveBoardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task SmokeSignIn()
    {
        await using var staff = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff1", Screen.Phone);
        await staff.SignInAsync("staff1");
        await staff.ScreenshotAsync("smoke-phone.png");
        Assert.True(staff.Errors.Count == 0, string.Join("\n", staff.Errors));
    }
}
