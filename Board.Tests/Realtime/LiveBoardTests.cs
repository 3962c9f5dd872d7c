using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Realtime;

[Trait("Kind", "Browser")]
public sealed class LiveBoardTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly TimeSpan ExecutedWithin = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task StaffPostsOnAPhone_ThreeOperationsApproveInTheirBrowsers_EveryScreenSeesExecutedWithoutReload()
    {
        await using var staff = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff1", Screen.Phone);
        await using var ops1 = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ops1");
        await using var ops2 = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ops2");
        await using var ops3 = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ops3");
        Screen[] everyone = [staff, ops1, ops2, ops3];

        // Staff posts from a phone, with a Markdown preview rendered by the server.
        await staff.SignInAsync("staff1");
        Assert.Equal(0, await staff.HorizontalOverflowAsync());
        var title = $"Put a basket return by till 1 ({Guid.NewGuid():N})"[..60];
        await staff.Page.Locator("#new-proposal").ClickAsync();
        await staff.Page.GetByLabel("Title").FillAsync(title);
        await staff.Page.GetByLabel("What should change, and why (Markdown)").FillAsync("Weekend queues are **blocked** by baskets.\n\n- one return\n- by till 1");
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(staff.Page.Locator(".preview strong")).ToHaveTextAsync("blocked");
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Post proposal" }).ClickAsync();
        var card = staff.Page.Locator("#group-open .proposal-card", new() { HasText = title });
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card.Locator(".progress-text")).ToHaveTextAsync("0 of 3 approvals");
        var proposalId = await card.GetAttributeAsync("data-id");
        Assert.Equal(0, await staff.HorizontalOverflowAsync());
        await AssertTouchTargetsAsync(staff);
        await staff.ScreenshotAsync("phone-board.png");

        // Three operations members, each in their own browser, open the proposal from their board.
        foreach (var (screen, who) in new[] { (ops1, "ops1"), (ops2, "ops2"), (ops3, "ops3") })
        {
            await screen.SignInAsync(who);
            await screen.Page.Locator($"#group-open .proposal-card[data-id='{proposalId}'] a").ClickAsync();
            await Expect(screen.Page.Locator("#proposal-title")).ToHaveTextAsync(title);
            await Expect(screen.Page.Locator(".approvals-body .progress-text")).ToHaveTextAsync("0 of 3 approvals");
        }

        await ops1.Page.Locator("#approve").ClickAsync();
        await Expect(ops1.Page.Locator("#approve")).ToHaveTextAsync("Take back my approval");
        await ops2.Page.Locator("#approve").ClickAsync();
        await Expect(card.Locator(".progress-text")).ToHaveTextAsync("2 of 3 approvals");
        foreach (var approver in new[] { ops1, ops2 })
            await Expect(card.Locator(".approvers")).ToContainTextAsync((await approver.Page.Locator("#me-name").TextContentAsync())!);
        foreach (var screen in new[] { ops1, ops2, ops3 })
            await Expect(screen.Page.Locator(".approvals-body .progress-text")).ToHaveTextAsync("2 of 3 approvals");

        // The third approval tips it over: every screen shows it, with no reload.
        var clock = Stopwatch.StartNew();
        await ops3.Page.Locator("#approve").ClickAsync();
        var seen = new[]
        {
            SeenAsync(staff, clock, staff.Page.Locator(".toast-executed", new() { HasText = title })),
            SeenAsync(ops1, clock, ops1.Page.Locator("#executed-banner")),
            SeenAsync(ops2, clock, ops2.Page.Locator("#executed-banner")),
            SeenAsync(ops3, clock, ops3.Page.Locator("#executed-banner")),
        };
        var times = await Task.WhenAll(seen);
        foreach (var (who, elapsed) in times) output.WriteLine($"{who} saw executed {elapsed.TotalMilliseconds:F0} ms after the click");
        Assert.All(times, t => Assert.True(t.Elapsed < ExecutedWithin, $"{t.Who} saw executed after {t.Elapsed.TotalMilliseconds:F0} ms"));

        // Unmistakable: a toast, the card in the executed group, and a polite announcement naming who tipped it over.
        var ops3Name = await ops3.Page.Locator("#me-name").TextContentAsync();
        await Expect(staff.Page.Locator(".toast-executed")).ToContainTextAsync(title);
        await Expect(staff.Page.Locator("#announcer")).ToContainTextAsync($"{ops3Name} gave the deciding approval");
        Assert.Equal("polite", await staff.Page.Locator("#announcer").GetAttributeAsync("aria-live"));
        await Expect(staff.Page.Locator($"#group-open .proposal-card[data-id='{proposalId}']")).ToHaveCountAsync(0);
        await Expect(staff.Page.Locator($".proposal-card[data-id='{proposalId}']")).ToHaveCountAsync(1);
        await Expect(card.Locator(".progress-text")).ToHaveCountAsync(0);
        await Expect(staff.Page.Locator($"#group-executed .proposal-card[data-id='{proposalId}'] .progress-text")).ToHaveTextAsync("3 of 3 approvals");
        // The awaiting-outcome tab counts it, and shows it flagged once opened.
        await staff.Page.Locator("#tab-executed").ClickAsync();
        await Expect(staff.Page.Locator($"#group-executed .proposal-card[data-id='{proposalId}'] .executed-flag")).ToBeVisibleAsync();
        Assert.EndsWith("?tab=executed", staff.Page.Url);
        foreach (var screen in new[] { ops1, ops2, ops3 })
        {
            await Expect(screen.Page.Locator("#approve")).ToBeHiddenAsync();
            await Expect(screen.Page.Locator("#timeline li[data-action='proposal.executed']")).ToHaveCountAsync(1);
        }
        Assert.Equal(0, await staff.HorizontalOverflowAsync());
        await staff.ScreenshotAsync("phone-executed.png", fullPage: false);
        await ops3.ScreenshotAsync("proposal.png");
        await ops1.GoAsync($"#/board/{await ops1.Page.Locator("#board-switcher").InputValueAsync()}");
        await Expect(ops1.Page.Locator($"#group-executed .proposal-card[data-id='{proposalId}']")).ToHaveCountAsync(1);
        await ops1.ScreenshotAsync("board.png");

        var errors = everyone.SelectMany(s => s.Errors).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task AKoreanBrowser_GetsKorean_AndTheChosenLanguageIsRemembered()
    {
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ko", Screen.Phone, locale: "ko-KR", colorScheme: ColorScheme.Dark);
        await screen.Page.GotoAsync("/");
        await Expect(screen.Page.Locator("html")).ToHaveAttributeAsync("lang", "ko");
        await Expect(screen.Page.Locator("#signin-heading")).ToHaveTextAsync("로그인");
        await screen.ScreenshotAsync("phone-signin-ko.png");
        await screen.SignInAsync("staff2");
        await Expect(screen.Page.Locator("#heading-open")).ToContainTextAsync("진행 중");
        await Expect(screen.Page.Locator("#sign-out")).ToHaveTextAsync("로그아웃");
        Assert.Equal(0, await screen.HorizontalOverflowAsync());
        await screen.ScreenshotAsync("phone-board-ko-dark.png", fullPage: false);

        await screen.Page.Locator("#language").SelectOptionAsync("en");
        await Expect(screen.Page.Locator("#heading-open")).ToContainTextAsync("Open");
        await screen.Page.ReloadAsync();
        await Expect(screen.Page.Locator("#heading-open")).ToContainTextAsync("Open");
        await Expect(screen.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        Assert.True(screen.Errors.Count == 0, string.Join("\n", screen.Errors));
    }

    [Fact]
    public async Task TheAuthorIsWarnedThatEditingDismissesApprovals_AndAnOperationsMemberIsToldWhyTheyCannotApproveTheirOwn()
    {
        var board = await app.FirstBoardAsync();
        using var ops4 = await app.SignInAsync("ops4");
        using var ops1 = await app.SignInAsync("ops1");
        var posted = await ops4.PostAsync(board.Id, "Move the bakery display nearer the door");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await ops1.ApproveAsync(posted.Id)).StatusCode);

        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ops4");
        await screen.SignInAsync("ops4");
        await screen.GoAsync($"#/proposal/{posted.Id}");
        await Expect(screen.Page.Locator("#why-not")).ToHaveTextAsync("You posted this, so you can't approve it.");
        await Expect(screen.Page.Locator("#approve")).ToBeHiddenAsync();
        await screen.Page.Locator("#edit").ClickAsync();
        await Expect(screen.Page.Locator(".edit-area .warning")).ToContainTextAsync("dismisses the 1 approval given so far");
        await screen.Page.Locator(".edit-area input[name=title]").FillAsync("Move the bakery display next to the door");
        await screen.Page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(screen.Page.Locator(".approvals-body .progress-text")).ToHaveTextAsync("0 of 3 approvals");
        await Expect(screen.Page.Locator("#timeline li[data-action='proposal.edited']")).ToContainTextAsync(ops1.Member.DisplayName);
        Assert.True(screen.Errors.Count == 0, string.Join("\n", screen.Errors));
    }

    private static async Task<(string Who, TimeSpan Elapsed)> SeenAsync(Screen screen, Stopwatch clock, ILocator locator)
    {
        await locator.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        return (screen.Name, clock.Elapsed);
    }

    /// <summary>Every visible button, link in a card, input and select is at least 44 px tall.</summary>
    private static async Task AssertTouchTargetsAsync(Screen screen)
    {
        var small = await screen.Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('button, select, input, textarea, .card-title a, .nav-link, .back')]
              .filter(el => el.offsetParent !== null)
              .filter(el => { const r = el.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
              .map(el => `${el.tagName}#${el.id}.${el.className} ${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`)
            """);
        Assert.True(small.Length == 0, "Touch targets under 44 px: " + string.Join(", ", small));
    }
}
