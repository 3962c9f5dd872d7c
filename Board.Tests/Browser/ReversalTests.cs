using System.Net;
using System.Net.Http.Json;
using Board.Web.Proposals;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Browser;

/// <summary>A decision is reversed the way it was made: a new proposal naming it, under the same rule.</summary>
public sealed class ReversalTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task FromAnExecutedProposal_AMemberProposesItsReversal_BothPagesLinkEachOther_Live()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var original = await staff.PostAsync(board.Id, "Close the side door at 8 " + Guid.NewGuid().ToString("N")[..6]);
        await ExecuteAsync(original.Id);

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
        await ExecuteAsync(reversalId, "ops1", "ops2", "ops3");
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

    private async Task ExecuteAsync(Guid proposalId, params string[] approvers)
    {
        foreach (var who in approvers.Length > 0 ? approvers : ["ops1", "ops2", "ops3"])
        {
            using var session = await app.SignInAsync(who);
            Assert.Equal(HttpStatusCode.OK, (await session.ApproveAsync(proposalId)).StatusCode);
        }
    }
}
