using System.Net;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Trail;

[Trait("Kind", "Browser")]
public sealed class TrailReconnectTests(RestartableApp server) : IClassFixture<RestartableApp>
{
    private const string Rows = TrailPageTests.Rows;

    [Fact]
    public async Task TheTrailPage_CatchesUpAfterTheServerRestarts_InOrder_WithNothingMissedOrDoubled()
    {
        var board = await server.Current.FirstBoardAsync();
        await using var manager = await Screen.OpenAsync(server.Browser, server.Current.BaseAddress, "trail-watcher");
        await manager.SignInAsync("manager");
        await manager.GoAsync($"#/trail/?boardId={board.Id}");
        await Expect(manager.Page.Locator(Rows)).ToHaveCountAsync(50);
        var before = await TrailPageTests.SeqsAsync(manager.Page);

        // Hold the page's reconnect attempts until the test has changed things behind its back.
        var hubOpen = false;
        await manager.Page.RouteAsync("**/hubs/board/negotiate**", route => hubOpen ? route.ContinueAsync() : route.AbortAsync());
        await server.StopAsync();
        await Expect(manager.Page.Locator("#connection")).ToBeVisibleAsync();
        await server.StartAsync();

        Guid missed;
        using (var staff = await server.Current.SignInAsync("staff3"))
        using (var ops = await server.Current.SignInAsync("ops1"))
        {
            missed = (await staff.PostAsync(board.Id, "Missed while the trail was offline")).Id;
            Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(missed)).StatusCode);
        }
        await Expect(manager.Page.Locator($"{Rows} a.trail-proposal[href='#/proposal/{missed}']")).ToHaveCountAsync(0);

        hubOpen = true;
        await Expect(manager.Page.Locator("#connection")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Expect(manager.Page.Locator(Rows)).ToHaveCountAsync(52);
        await Expect(manager.Page.Locator(Rows).Nth(0)).ToHaveAttributeAsync("data-action", "approval.added");
        await Expect(manager.Page.Locator(Rows).Nth(1)).ToHaveAttributeAsync("data-action", "proposal.posted");

        // Live again on the new server: the next entry is pushed, once.
        using (var ops = await server.Current.SignInAsync("ops2"))
            Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(missed)).StatusCode);
        await Expect(manager.Page.Locator(Rows)).ToHaveCountAsync(53);
        var after = await TrailPageTests.SeqsAsync(manager.Page);
        Assert.Equal(before, after.Skip(3));
        Assert.All(after.Zip(after.Skip(1)), pair => Assert.True(pair.First > pair.Second, $"{pair.First} then {pair.Second}"));
        var thrown = manager.Errors.Where(e => e.Contains("page error", StringComparison.Ordinal)).ToList();
        Assert.True(thrown.Count == 0, string.Join("\n", thrown));
    }
}
