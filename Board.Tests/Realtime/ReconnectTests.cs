using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Board.Web.Trail;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Realtime;

[Trait("Kind", "Browser")]
public sealed class ReconnectTests(RestartableApp server) : IClassFixture<RestartableApp>
{
    [Fact]
    public async Task APageThatLostItsConnection_CatchesUpAfterTheServerRestarts_WithNothingMissedOrDoubled()
    {
        var board = await server.Current.FirstBoardAsync();
        Guid watched;
        using (var author = await server.Current.SignInAsync("staff1"))
            watched = (await author.PostAsync(board.Id, "Open the second till at 17:00")).Id;

        await using var onBoard = await Screen.OpenAsync(server.Browser, server.Current.BaseAddress, "board-watcher");
        await using var onProposal = await Screen.OpenAsync(server.Browser, server.Current.BaseAddress, "proposal-watcher", Screen.Phone);
        await onBoard.SignInAsync("manager");
        await onProposal.SignInAsync("staff2");
        await onProposal.GoAsync($"#/proposal/{watched}");
        await Expect(onProposal.Page.Locator("#proposal-title")).ToHaveTextAsync("Open the second till at 17:00");
        await Expect(onProposal.Page.Locator("#timeline li")).ToHaveCountAsync(1);

        // Hold the pages' reconnect attempts until the test has changed things behind their backs.
        var hubOpen = false;
        foreach (var screen in new[] { onBoard, onProposal })
            await screen.Page.RouteAsync("**/hubs/board/negotiate**", route => hubOpen ? route.ContinueAsync() : route.AbortAsync());

        await server.StopAsync();
        await Expect(onBoard.Page.Locator("#connection")).ToBeVisibleAsync();
        await Expect(onProposal.Page.Locator("#connection")).ToBeVisibleAsync();
        await onProposal.ScreenshotAsync("phone-reconnecting.png", fullPage: false);
        await server.StartAsync();

        const string missedTitle = "Keep the stockroom door shut in winter";
        Guid missed;
        using (var staff3 = await server.Current.SignInAsync("staff3"))
        using (var ops1 = await server.Current.SignInAsync("ops1"))
        using (var ops2 = await server.Current.SignInAsync("ops2"))
        using (var ops3 = await server.Current.SignInAsync("ops3"))
        {
            missed = (await staff3.PostAsync(board.Id, missedTitle)).Id;
            foreach (var ops in new[] { ops1, ops2, ops3 }) Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(missed)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await ops1.ApproveAsync(watched)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await staff3.Client.PostAsJsonAsync($"/api/proposals/{watched}/comments", new { body = "Yes — the queue builds up from 17:10." })).StatusCode);
        }
        // They really missed it: still disconnected, nothing of it on screen.
        await Expect(onBoard.Page.Locator($".proposal-card[data-id='{missed}']")).ToHaveCountAsync(0);
        await Expect(onProposal.Page.Locator("#timeline li")).ToHaveCountAsync(1);

        hubOpen = true;
        await Expect(onBoard.Page.Locator("#connection")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Expect(onProposal.Page.Locator("#connection")).ToBeHiddenAsync(new() { Timeout = 30_000 });

        await Expect(onBoard.Page.Locator($".proposal-card[data-id='{missed}']")).ToHaveCountAsync(1);
        await Expect(onBoard.Page.Locator($"#group-executed .proposal-card[data-id='{missed}'] .progress-text")).ToHaveTextAsync("3 of 3 approvals");
        await Expect(onBoard.Page.Locator($".proposal-card[data-id='{watched}'] .progress-text")).ToHaveTextAsync("1 of 3 approvals");
        await Expect(onBoard.Page.Locator("#announcer")).ToContainTextAsync("Connection restored");
        await Expect(onProposal.Page.Locator(".approvals-body .progress-text")).ToHaveTextAsync("1 of 3 approvals");
        await Expect(onProposal.Page.Locator("#comments .comment")).ToHaveCountAsync(1);
        await AssertTimelineIsTheTrailAsync(onProposal, watched, ["proposal.posted", "approval.added", "comment.added"]);

        // Live again, on the new server: the next change arrives pushed, once.
        using (var ops2 = await server.Current.SignInAsync("ops2"))
            Assert.Equal(HttpStatusCode.OK, (await ops2.ApproveAsync(watched)).StatusCode);
        await Expect(onProposal.Page.Locator(".approvals-body .progress-text")).ToHaveTextAsync("2 of 3 approvals");
        await Expect(onBoard.Page.Locator($".proposal-card[data-id='{watched}'] .progress-text")).ToHaveTextAsync("2 of 3 approvals");
        await AssertTimelineIsTheTrailAsync(onProposal, watched, ["proposal.posted", "approval.added", "comment.added", "approval.added"]);
        await Expect(onBoard.Page.Locator($".proposal-card[data-id='{missed}']")).ToHaveCountAsync(1);

        // Connection failures while the server was down are logged by the browser; the page itself never threw.
        var thrown = onBoard.Errors.Concat(onProposal.Errors).Where(e => e.Contains("page error", StringComparison.Ordinal)).ToList();
        Assert.True(thrown.Count == 0, string.Join("\n", thrown));
    }

    private async Task AssertTimelineIsTheTrailAsync(Screen screen, Guid proposalId, string[] actions)
    {
        using var session = await server.Current.SignInAsync("manager");
        var trail = (await session.Client.GetFromJsonAsync<TrailPage>($"/api/audit?proposalId={proposalId}&after=0", BoardApp.Json))!;
        Assert.Equal(actions, trail.Items.Select(e => e.Action));
        var expected = trail.Items.Select(e => e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await Expect(screen.Page.Locator("#timeline li")).ToHaveCountAsync(expected.Length);
        var shown = await screen.Page.Locator("#timeline li").EvaluateAllAsync<string[]>("items => items.map(li => li.dataset.seq)");
        Assert.Equal(expected, shown);
    }
}
