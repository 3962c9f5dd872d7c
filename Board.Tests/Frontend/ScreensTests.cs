using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Boards;
using Board.Web.Trail;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Frontend;

/// <summary>The three people's screens, each story by its role, on a 390 px phone and a desktop, in English and Korean.</summary>
[Trait("Kind", "Browser")]
public sealed partial class ScreensTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    public static TheoryData<string, string> Devices => new() { { "desktop", "en" }, { "phone", "ko" }, { "phone", "en" }, { "desktop", "ko" } };

    private static readonly Dictionary<string, Dictionary<string, string>> Text = new()
    {
        ["en"] = new() { ["executed"] = "Executed", ["done"] = "Done", ["open"] = "Open", ["approve"] = "Approve", ["takeBack"] = "Take back" },
        ["ko"] = new() { ["executed"] = "실행됨", ["done"] = "완료", ["open"] = "진행 중", ["approve"] = "승인", ["takeBack"] = "승인 취소" },
    };

    private Task<Screen> OpenAsync(string name, string device, string lang) =>
        Screen.OpenAsync(app.Browser, app.BaseAddress, name, device == "phone" ? Screen.Phone390 : Screen.Laptop, locale: lang == "ko" ? "ko-KR" : "en-US");

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Operations_ClearsWaitingForMe_TappingApproveOnThreeCards_WhileASecondScreenWatchesThemExecute(string device, string lang)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 3);
        using var staff = await app.SignInAsync("staff1");
        var ids = new List<Guid>();
        var titles = new List<string>();
        foreach (var n in new[] { 1, 2, 3 })
        {
            titles.Add($"Waiting card {n} {device} {lang}");
            var proposal = await staff.PostAsync(board.Id, titles[^1]);
            await app.ApproveAsAsync(proposal.Id, "ops2", "ops3");
            ids.Add(proposal.Id);
        }

        await using var watcher = await OpenAsync("staff1-watching", device == "phone" ? "desktop" : "phone", lang);
        await watcher.SignInAsync("staff1");
        await watcher.GoAsync($"#/board/{board.Id}");
        await Expect(watcher.Page.Locator("#board-title")).ToHaveTextAsync(board.Name);
        await watcher.WaitConnectedAsync();

        await using var ops = await OpenAsync("ops1", device, lang);
        await ops.SignInAsync("ops1");
        await ops.GoAsync("#/waiting");
        var count = ops.Page.Locator("#waiting-count");
        await Expect(ops.Page.Locator("#waiting-list .proposal-card[data-id]").First).ToBeVisibleAsync();
        foreach (var id in ids) await Expect(Card(ops, id).Locator(".card-approve")).ToHaveTextAsync(Text[lang]["approve"]);
        var before = int.Parse((await count.TextContentAsync())!);
        Assert.True(before >= 3, $"the nav counts {before}");
        Assert.Equal(before, await ops.Page.Locator("#waiting-list .proposal-card").CountAsync());
        // Oldest first.
        var posted = await ops.Page.Locator("#waiting-list .proposal-card time").EvaluateAllAsync<string[]>("els => els.map(e => e.dateTime)");
        Assert.Equal(posted.Order(StringComparer.Ordinal), posted);
        Assert.Equal(0, await ops.HorizontalOverflowAsync());
        await ops.AssertAccessibleAsync("waiting");
        await ops.ScreenshotAsync($"waiting-{device}-{lang}.png", fullPage: false);

        // Two taps, then the third by keyboard alone: each is the deciding approval, and the watcher sees it execute.
        for (var i = 0; i < 3; i++)
        {
            var button = Card(ops, ids[i]).Locator(".card-approve");
            if (i < 2) await button.ClickAsync();
            else
            {
                await button.FocusAsync();
                await ops.Page.Keyboard.PressAsync("Enter");
            }
            await Expect(Card(ops, ids[i]).Locator(".executed-flag")).ToBeVisibleAsync();
            await Expect(Card(ops, ids[i]).Locator(".badge")).ToHaveTextAsync(Text[lang]["executed"]);
            await Expect(Card(ops, ids[i]).Locator(".card-approve")).ToBeHiddenAsync();
            await Expect(watcher.Page.Locator(".toast-executed", new() { HasText = titles[i] })).ToBeVisibleAsync(new() { Timeout = 5_000 });
            await Expect(watcher.Page.Locator($"#group-executed .proposal-card[data-id='{ids[i]}'] .executed-flag")).ToHaveCountAsync(1);
            await Expect(watcher.Page.Locator($"#group-open .proposal-card[data-id='{ids[i]}']")).ToHaveCountAsync(0);
            await Expect(count).ToHaveTextAsync((before - i - 1).ToString());
        }
        // Focus moved on from the executed card, never lost to the page.
        Assert.NotEqual("BODY", await ops.Page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        await Expect(ops.Page.Locator("#waiting-status")).Not.ToBeEmptyAsync();
        await ops.AssertAccessibleAsync("waiting, after approving");
        await ops.ScreenshotAsync($"waiting-cleared-{device}-{lang}.png");
        await Card(ops, ids[2]).ScrollIntoViewIfNeededAsync();
        await ops.ScreenshotAsync($"waiting-cleared-view-{device}-{lang}.png", fullPage: false);
        await watcher.ScreenshotAsync($"waiting-watcher-{device}-{lang}.png", fullPage: false);
        AssertNoErrors(ops, watcher);
    }

    [Fact]
    public async Task Operations_CanTakeBackAnApprovalFromTheCard_AndTheCountFollows()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 3);
        using var staff = await app.SignInAsync("staff2");
        var posted = await staff.PostAsync(board.Id, "Take back from the card");
        await using var ops = await OpenAsync("ops4", "desktop", "en");
        await ops.SignInAsync("ops4");
        await ops.GoAsync("#/waiting");
        var button = Card(ops, posted.Id).Locator(".card-approve");
        await Expect(button).ToHaveTextAsync("Approve");
        var before = int.Parse((await ops.Page.Locator("#waiting-count").TextContentAsync())!);
        await button.ClickAsync();
        await Expect(button).ToHaveTextAsync("Take back");
        await Expect(Card(ops, posted.Id).Locator(".progress-text")).ToHaveTextAsync("1 of 3 approvals");
        await Expect(Card(ops, posted.Id).Locator(".missing")).ToHaveTextAsync("2 more approvals needed.");
        await Expect(ops.Page.Locator("#waiting-count")).ToHaveTextAsync((before - 1).ToString());
        Assert.Equal("Take back", await ops.Page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await ops.Page.Keyboard.PressAsync("Enter");
        await Expect(button).ToHaveTextAsync("Approve");
        await Expect(Card(ops, posted.Id).Locator(".progress-text")).ToHaveTextAsync("0 of 3 approvals");
        await Expect(ops.Page.Locator("#waiting-count")).ToHaveTextAsync(before.ToString());
        AssertNoErrors(ops);
    }

    [Theory]
    [InlineData("en", "It is no longer open: it was decided, withdrawn or has expired.", "1 comment", "2 comments")]
    [InlineData("ko", "더 이상 진행 중이 아닙니다. 결정, 철회 또는 만료되었습니다.", "댓글 1개", "댓글 2개")]
    public async Task ARefusalIsShownInThePagesLanguage_AndCountsUsePluralRules(string lang, string notOpen, string one, string two)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 3);
        using var staff = await app.SignInAsync("staff3");
        var posted = await staff.PostAsync(board.Id, $"Withdrawn under the approver's thumb {lang}");
        await using var ops = await OpenAsync("ops2", "phone", lang);
        await ops.SignInAsync("ops2");
        await ops.GoAsync("#/waiting");
        var button = Card(ops, posted.Id).Locator(".card-approve");
        await Expect(button).ToBeVisibleAsync();
        (await staff.Client.PostAsync($"/api/proposals/{posted.Id}/withdraw", null)).EnsureSuccessStatusCode();
        // The withdrawal arrives live and takes the button away; a tap that raced it is refused in the page's language.
        await Expect(button).ToBeHiddenAsync();
        await ops.Page.EvaluateAsync("id => document.querySelector(`.proposal-card[data-id='${id}'] .card-approve`).hidden = false", posted.Id.ToString());
        await button.ClickAsync();
        await Expect(Card(ops, posted.Id).Locator(".card-actions .form-error")).ToHaveTextAsync(notOpen);
        Assert.Equal([one, two], await ops.Page.EvaluateAsync<string[]>(
            "async () => { const { t } = await import('/i18n.js'); return [t('card.comments', { count: 1 }), t('card.comments', { count: 2 })]; }"));
        // Script errors only: the browser also logs the 409 this test provokes on purpose.
        Assert.DoesNotContain(ops.Errors, e => !e.Contains("status of 409"));
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Staff_FollowsTheirProposal_FromPostingToDone_OnMyProposals(string device, string lang)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 2);
        await using var screen = await OpenAsync("staff3", device, lang);
        await screen.SignInAsync("staff3");
        await screen.GoAsync($"#/board/{board.Id}");
        await Expect(screen.Page.Locator("#board-title")).ToHaveTextAsync(board.Name);
        var title = $"Mine from post to done {device} {lang}";
        await screen.Page.Locator("#new-proposal").ClickAsync();
        await screen.Page.Locator(".compose input[name=title]").FillAsync(title);
        await screen.Page.Locator(".compose textarea[name=body]").FillAsync("Customers ask for it **every day**.");
        await screen.Page.Locator(".compose button[type=submit]").ClickAsync();
        var onBoard = screen.Page.Locator("#group-open .proposal-card", new() { HasText = title });
        await Expect(onBoard).ToHaveCountAsync(1);
        var id = Guid.Parse((await onBoard.GetAttributeAsync("data-id"))!);

        await screen.Page.Locator("[data-route=mine]").ClickAsync();
        var card = Card(screen, id);
        await Expect(card.Locator(".badge")).ToHaveTextAsync(Text[lang]["open"]);
        await Expect(card.Locator(".progress-text")).ToHaveAttributeAsync("data-count", "0");
        await Expect(card.Locator(".missing")).ToContainTextAsync("2");
        Assert.Equal(0, await card.Locator(".card-approve").CountAsync());
        await screen.AssertAccessibleAsync("my proposals");

        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        (await ops1.ApproveAsync(id)).EnsureSuccessStatusCode();
        await Expect(card.Locator(".progress-text")).ToHaveAttributeAsync("data-count", "1");
        await Expect(card.Locator(".approvers")).ToContainTextAsync(ops1.Member.DisplayName);
        await Expect(card.Locator(".missing")).ToContainTextAsync("1");
        if (lang == "en") await Expect(card.Locator(".missing")).ToHaveTextAsync("1 more approval needed.");
        await screen.ScreenshotAsync($"mine-open-{device}-{lang}.png", fullPage: false);

        (await ops2.ApproveAsync(id)).EnsureSuccessStatusCode();
        await Expect(card.Locator(".badge")).ToHaveTextAsync(Text[lang]["executed"]);
        await Expect(card.Locator(".executed-flag")).ToBeVisibleAsync();
        await Expect(card.Locator(".standing")).ToBeVisibleAsync();
        await Expect(card.Locator(".missing")).ToHaveCountAsync(0);
        await Expect(card.Locator(".approvers")).ToContainTextAsync(ops2.Member.DisplayName);

        var note = "Signs are up by the entrance since Monday.";
        (await ops1.Client.PostAsJsonAsync($"/api/proposals/{id}/complete", new { note })).EnsureSuccessStatusCode();
        await Expect(card.Locator(".badge")).ToHaveTextAsync(Text[lang]["done"]);
        await Expect(card.Locator(".outcome-text")).ToHaveTextAsync(note);
        await Expect(card.Locator(".outcome-note .meta")).ToContainTextAsync(ops1.Member.DisplayName);
        await Expect(card.Locator(".executed-flag")).ToHaveCountAsync(0);
        await Expect(card.Locator(".approvers")).ToContainTextAsync(ops2.Member.DisplayName);
        Assert.Equal(0, await screen.HorizontalOverflowAsync());
        await screen.AssertAccessibleAsync("my proposals, done");
        await card.ScrollIntoViewIfNeededAsync();
        await screen.ScreenshotAsync($"mine-done-{device}-{lang}.png", fullPage: false);
        AssertNoErrors(screen);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task EveryPage_HasNoSeriousOrCriticalAxeViolations(string device, string lang)
    {
        var board = await app.FirstBoardAsync();
        using var staffApi = await app.SignInAsync("staff2");
        var proposal = await staffApi.PostAsync(board.Id, $"Checked by axe {device} {lang}");

        await using var signedOut = await OpenAsync("visitor", device, lang);
        await signedOut.Page.GotoAsync("/");
        await Expect(signedOut.Page.Locator("#signin-email")).ToBeVisibleAsync();
        await signedOut.AssertAccessibleAsync("sign-in");

        var visits = new (string Who, string Hash, string Ready)[]
        {
            ("ops1", $"#/board/{board.Id}", "#group-open .proposal-card"),
            ("ops1", $"#/board/{board.Id}?tab=executed", "#group-executed .proposal-card"),
            ("ops1", $"#/proposal/{proposal.Id}", "#approve"),
            ("ops1", "#/waiting", "#waiting-list .proposal-card"),
            ("staff2", "#/mine", "#mine-list .proposal-card"),
            ("staff2", $"#/proposal/{proposal.Id}", "#edit"),
            ("manager", "#/trail/", "#trail-list .trail-entry"),
            ("manager", "#/insights", "#insight-weeks-table"),
            ("admin", "#/admin/boards", ".admin-body .card"),
            ("admin", "#/admin/members", ".admin-body table"),
            ("admin", "#/admin/webhooks", ".admin-body form"),
        };
        foreach (var group in visits.GroupBy(v => v.Who))
        {
            await using var screen = await OpenAsync(group.Key, device, lang);
            await screen.SignInAsync(group.Key);
            foreach (var (_, hash, ready) in group)
            {
                await screen.GoAsync(hash);
                await Expect(screen.Page.Locator(ready).First).ToBeAttachedAsync();
                await screen.AssertAccessibleAsync(hash);
                Assert.True(await screen.HorizontalOverflowAsync() == 0, $"{hash} overflows sideways on {device}");
                var text = await screen.Page.Locator("#main").InnerTextAsync();
                Assert.DoesNotContain("null", text);
                Assert.DoesNotContain("undefined", text);
            }
            // Folded parts are checked open too.
            if (group.Key == "manager")
            {
                await screen.GoAsync("#/trail/");
                await screen.Page.Locator("#trail-filter-box > summary").ClickAsync();
                await screen.Page.Locator("#trail-proof-box > summary").ClickAsync();
                await screen.AssertAccessibleAsync("trail, folds open");
            }
            AssertNoErrors(screen);
        }
    }

    private static ILocator Card(Screen screen, Guid id) => screen.Page.Locator($".proposal-card[data-id='{id}']");

    private static void AssertNoErrors(params Screen[] screens)
    {
        var errors = screens.SelectMany(s => s.Errors).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
