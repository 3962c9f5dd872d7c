using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Board.Web.Boards;
using Board.Web.Demo;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Notifications;

/// <summary>The author of a proposal learns that it executed wherever they are in Board, live or on their next visit.</summary>
[Trait("Kind", "Browser")]
public sealed class NoticeTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task AuthorOnAnotherBoard_SeesTheirOwnExecutionOnly_AndOpensItFromTheList()
    {
        var (author, elsewhere) = await NewAuthorAndBoardAsync();
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "author");
        await screen.Page.Clock.InstallAsync();
        await screen.SignInAsync(author.Member.Email.Split('@')[0]);
        var bell = screen.Page.Locator("#notices-toggle");
        await Expect(bell).ToBeVisibleAsync();
        await Expect(bell).ToHaveAttributeAsync("aria-label", "Notifications");
        await Expect(screen.Page.Locator("#notices-count")).ToBeHiddenAsync();

        // Someone else's proposal executing on that board is not the author's news.
        using var staff2 = await app.SignInAsync("staff2");
        var theirs = await staff2.PostAsync(elsewhere.Id, "Someone else's idea " + Guid.NewGuid().ToString("N")[..8]);
        await app.ApproveAsAsync(theirs.Id);

        // The author's own proposal, on a board their page is not showing, executes.
        var mine = await author.PostAsync(elsewhere.Id, "Label the back shelves " + Guid.NewGuid().ToString("N")[..8]);
        await app.ApproveAsAsync(mine.Id);

        var toast = screen.Page.Locator(".toast-executed");
        await Expect(toast).ToHaveCountAsync(1);
        await Expect(toast).ToContainTextAsync($"Your proposal “{mine.Title}” executed.");
        await Expect(screen.Page.Locator("#notices-count")).ToHaveTextAsync("1");
        await Expect(bell).ToHaveAttributeAsync("aria-label", "Notifications: 1 unread");
        await screen.ScreenshotAsync("notice-toast.png", fullPage: false);

        // The toast can be closed at once; the list keeps the notice.
        await toast.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(toast).ToHaveCountAsync(0);

        await bell.ClickAsync();
        await Expect(bell).ToHaveAttributeAsync("aria-expanded", "true");
        var items = screen.Page.Locator("#notices-list .notice");
        await Expect(items).ToHaveCountAsync(1);
        await Expect(items.First).ToContainTextAsync(mine.Title);
        await Expect(items.First).ToContainTextAsync(elsewhere.Name);
        await Expect(items.First.Locator("a")).ToBeFocusedAsync();
        await Expect(screen.Page.Locator("#notices-count")).ToBeHiddenAsync();
        await screen.ScreenshotAsync("notice-list.png", fullPage: false);

        // Escape closes the list and gives focus back to the bell; Enter on the link opens the proposal.
        await screen.Page.Keyboard.PressAsync("Escape");
        await Expect(screen.Page.Locator("#notices-panel")).ToBeHiddenAsync();
        await Expect(bell).ToBeFocusedAsync();
        await screen.Page.Keyboard.PressAsync("Enter");
        await screen.Page.Locator("#notices-list .notice a").First.PressAsync("Enter");
        await Expect(screen.Page.Locator("#proposal-title")).ToHaveTextAsync(mine.Title);
        await Expect(screen.Page.Locator("#notices-panel")).ToBeHiddenAsync();

        // Read stays read after a reload.
        await screen.Page.ReloadAsync();
        await Expect(screen.Page.Locator("#proposal-title")).ToHaveTextAsync(mine.Title);
        await Expect(screen.Page.Locator("#notices-list .notice")).ToHaveCountAsync(1);
        await Expect(screen.Page.Locator("#notices-count")).ToBeHiddenAsync();

        // Relative times keep telling the truth while the page stays open.
        await bell.ClickAsync();
        var shown = screen.Page.Locator("#notices-list .notice time");
        await Expect(shown).ToHaveTextAsync(new Regex("^(now|[0-9]+ seconds? ago)$"));
        Assert.Empty(screen.Errors);
        // (Jumping the page's clock also trips the SignalR client's server timeout, which it logs; that is the jump, not Board.)
        await screen.Page.Clock.FastForwardAsync("05:00");
        await Expect(shown).ToHaveTextAsync("5 minutes ago");
    }

    [Fact]
    public async Task AuthorWatchingThatBoard_GetsOneToastNotTwo_AndAnExecutionWhileAwayWaitsOnTheBell()
    {
        var (author, board) = await NewAuthorAndBoardAsync();
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "author", Screen.Phone, locale: "ko-KR");
        await screen.SignInAsync(author.Member.Email.Split('@')[0]);
        await screen.GoAsync($"#/board/{board.Id}");
        await Expect(screen.Page.Locator("#board-title")).ToHaveTextAsync(board.Name);

        // On the board itself the board's own toast tells it; the bell still counts it.
        var first = await author.PostAsync(board.Id, "계산대 옆 바구니 반납대 " + Guid.NewGuid().ToString("N")[..6]);
        await app.ApproveAsAsync(first.Id);
        await Expect(screen.Page.Locator("#notices-count")).ToHaveTextAsync("1");
        await Expect(screen.Page.Locator(".toast-executed")).ToHaveCountAsync(1);
        await Expect(screen.Page.Locator("#notices-toggle")).ToHaveAttributeAsync("aria-label", "알림, 읽지 않음: 1");

        // The author leaves; meanwhile a second proposal executes. Coming back, the bell shows it, in Korean.
        var second = await author.PostAsync(board.Id, "창고 선반 라벨 " + Guid.NewGuid().ToString("N")[..6]);
        await screen.Page.GotoAsync("about:blank");
        await app.ApproveAsAsync(second.Id);
        await screen.Page.GotoAsync("/");
        await Expect(screen.Page.Locator("#notices-count")).ToHaveTextAsync("2");
        await screen.Page.Locator("#notices-toggle").ClickAsync();
        await Expect(screen.Page.Locator("#notices-heading")).ToHaveTextAsync("실행된 내 제안");
        var items = screen.Page.Locator("#notices-list .notice");
        await Expect(items).ToHaveCountAsync(2);
        await Expect(items.Nth(0)).ToContainTextAsync(second.Title);
        await Expect(items.Nth(1)).ToContainTextAsync(first.Title);
        Assert.Equal(0, await screen.HorizontalOverflowAsync());
        var panel = (await screen.Page.Locator("#notices-panel").BoundingBoxAsync())!;
        Assert.InRange(panel.X, 0, 360);
        Assert.InRange(panel.X + panel.Width, 0, 360);
        await screen.ScreenshotAsync("phone-notices-ko.png", fullPage: false);
        Assert.Empty(screen.Errors);
    }

    /// <summary>A fresh staff member (so demo history adds nothing to their bell) and a fresh board of quorum 3.</summary>
    private async Task<(Session Author, BoardDto Board)> NewAuthorAndBoardAsync()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(name: $"Notices {Guid.NewGuid():N}"[..16]);
        var email = $"author-{Guid.NewGuid():N}"[..16] + "@demo.board";
        var created = await admin.Client.PostAsJsonAsync("/api/members",
            new { email, displayName = "Author " + email[7..12], password = DemoSeeder.Password, roles = new[] { "staff" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await app.SignInAsync(email), board);
    }
}
