using System.Net;
using System.Net.Http.Json;
using Board.Web.Proposals;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Proposals;

/// <summary>
/// After a decision: its outcome is awaited in plain sight (oldest first), and a decision is reversed the way it
/// was made — a new proposal naming it, under the same rule.
/// </summary>
[Trait("Kind", "Browser")]
public sealed class FollowUpTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ExecutedProposalsAwaitTheirOutcome_LongestWaitingFirst_AndLeaveTheListWhenDone()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 1);
        using var staff = await app.SignInAsync("staff3");
        var a = await staff.PostAsync(board.Id, "A: fix the till drawer");
        var b = await staff.PostAsync(board.Id, "B: new price labels");
        var c = await staff.PostAsync(board.Id, "C: mop by the door");
        await app.ApproveAsAsync(b.Id, "ops1");
        await app.ApproveAsAsync(a.Id, "ops1");

        await using var ops = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ops2");
        await ops.SignInAsync("ops2");
        await ops.GoAsync($"#/board/{board.Id}");
        var waiting = ops.Page.Locator("#group-executed .proposal-card .card-title");
        await Expect(waiting).ToHaveTextAsync([b.Title, a.Title]);
        await Expect(ops.Page.Locator("a[data-route='trail']")).Not.ToHaveAttributeAsync("aria-current", "page");
        await Expect(ops.Page.Locator("#group-executed .proposal-card").First.Locator(".meta")).ToContainTextAsync("executed");

        // Executed now: it has waited least, so it goes last; recording an outcome takes one off the list.
        await app.ApproveAsAsync(c.Id, "ops1");
        await Expect(waiting).ToHaveTextAsync([b.Title, a.Title, c.Title]);
        using var ops3 = await app.SignInAsync("ops3");
        var done = await ops3.Client.PostAsJsonAsync($"/api/proposals/{b.Id}/complete", new { note = "Labels printed and hung." });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        await Expect(waiting).ToHaveTextAsync([a.Title, c.Title]);
        await Expect(ops.Page.Locator("#group-done .proposal-card .card-title")).ToHaveTextAsync([b.Title]);
        Assert.Empty(ops.Errors);
    }

    [Fact]
    public async Task FromAnExecutedProposal_AMemberProposesItsReversal_BothPagesLinkEachOther_Live()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var original = await staff.PostAsync(board.Id, "Close the side door at 8 " + Guid.NewGuid().ToString("N")[..6]);
        await app.ApproveAsAsync(original.Id);

        await using var watcher = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff1");
        await watcher.SignInAsync("staff1");
        await watcher.GoAsync($"#/proposal/{original.Id}");
        await Expect(watcher.Page.Locator("#proposal-title")).ToHaveTextAsync(original.Title);
        await Expect(watcher.Page.Locator("#reversed-by")).ToHaveCountAsync(0);

        await using var ops = await Screen.OpenAsync(app.Browser, app.BaseAddress, "ops4", Screen.Phone);
        await ops.SignInAsync("ops4");
        await ops.GoAsync($"#/proposal/{original.Id}");
        await ops.Page.GetByRole(AriaRole.Button, new() { Name = "Propose reversing this" }).ClickAsync();
        await Expect(ops.Page.GetByLabel("Title")).ToHaveValueAsync($"Reverse: {original.Title}");
        await ops.Page.GetByLabel("What should change, and why (Markdown)").FillAsync("Deliveries arrive at 8:30 now.");
        await ops.Page.GetByRole(AriaRole.Button, new() { Name = "Post proposal" }).ClickAsync();

        // The new proposal's page says what it reverses and links there.
        var reversalTitle = $"Reverse: {original.Title}";
        await Expect(ops.Page.Locator("#proposal-title")).ToHaveTextAsync(reversalTitle);
        await Expect(ops.Page.Locator("#reverses a")).ToHaveTextAsync($"“{original.Title}”");
        Assert.Equal(0, await ops.HorizontalOverflowAsync());
        var reversalId = Guid.Parse(ops.Page.Url.Split("#/proposal/")[1]);

        // The API names it: only the reversal is listed as reversing the original.
        var listed = await staff.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{board.Id}/proposals?reverses={original.Id}", BoardApp.Json);
        Assert.Equal([reversalId], listed!.Items.Select(p => p.Id));
        Assert.Equal(original.Id, (await staff.GetAsync(reversalId)).Reverses);

        // The original's page, open elsewhere, shows the proposed reversal without a reload, and its outcome later.
        var reversedBy = watcher.Page.Locator("#reversed-by");
        await Expect(reversedBy).ToContainTextAsync(reversalTitle);
        await Expect(reversedBy.Locator(".badge")).ToHaveTextAsync("Open");
        await app.ApproveAsAsync(reversalId, "ops1", "ops2", "ops3");
        await Expect(reversedBy.Locator(".badge")).ToHaveTextAsync("Executed");
        await watcher.ScreenshotAsync("reversal.png");

        await ops.Page.Locator("#reverses a").ClickAsync();
        await Expect(ops.Page.Locator("#proposal-title")).ToHaveTextAsync(original.Title);
        await Expect(ops.Page.Locator("#reversed-by a")).ToHaveTextAsync($"“{reversalTitle}”");
        Assert.Empty(watcher.Errors.Concat(ops.Errors));
    }

    [Fact]
    public async Task AnOpenProposal_OffersNoReversal_AndTheApiRefusesOne()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff2");
        var open = await staff.PostAsync(board.Id, "Still open " + Guid.NewGuid().ToString("N")[..6]);
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff2");
        await screen.SignInAsync("staff2");
        await screen.GoAsync($"#/proposal/{open.Id}");
        await Expect(screen.Page.Locator("#proposal-title")).ToHaveTextAsync(open.Title);
        await Expect(screen.Page.Locator("#propose-reversal")).ToHaveCountAsync(0);

        var refused = await staff.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = "Undo it", body = "", reverses = open.Id });
        var problem = await refused.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("reverses", out _));
    }

    [Fact]
    public async Task AuthorWithdraws_AfterAnInPageConfirmation_ThatEscapeCancels()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff3");
        var mine = await staff.PostAsync(board.Id, "Second bin by the lockers " + Guid.NewGuid().ToString("N")[..6]);
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff3");
        await screen.SignInAsync("staff3");
        await screen.GoAsync($"#/proposal/{mine.Id}");
        var withdraw = screen.Page.Locator("#withdraw");

        await withdraw.ClickAsync();
        var confirm = screen.Page.Locator(".author-actions .confirm");
        await Expect(confirm).ToContainTextAsync("Withdraw this proposal? This cannot be undone.");
        await Expect(confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await screen.Page.Keyboard.PressAsync("Escape");
        await Expect(confirm).ToHaveCountAsync(0);
        await Expect(withdraw).ToBeFocusedAsync();
        Assert.Equal("open", (await staff.GetAsync(mine.Id)).Status);

        await withdraw.ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Withdraw it" }).ClickAsync();
        await Expect(screen.Page.Locator(".proposal-head .badge")).ToHaveTextAsync("Withdrawn");
        await Expect(withdraw).ToBeHiddenAsync();
        Assert.Equal("withdrawn", (await staff.GetAsync(mine.Id)).Status);
        Assert.Empty(screen.Errors);
    }
}
