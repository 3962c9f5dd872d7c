using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Boards;
using Board.Web.Trail;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Frontend;

public sealed partial class ScreensTests
{
    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Manager_ReadsInsights_WithTheSameFiguresTheTrailImplies(string device, string lang)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 2);
        using var staff = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        var first = await staff.PostAsync(board.Id, "Insight one");
        await app.ApproveAsAsync(first.Id, "ops1", "ops2");
        (await ops1.Client.PostAsJsonAsync($"/api/proposals/{first.Id}/complete", new { note = "Done." })).EnsureSuccessStatusCode();
        var second = await staff.PostAsync(board.Id, "Insight two");
        await app.ApproveAsAsync(second.Id, "ops1", "ops3");
        var third = await staff.PostAsync(board.Id, "Insight three");
        (await staff.Client.PostAsync($"/api/proposals/{third.Id}/withdraw", null)).EnsureSuccessStatusCode();
        var fourth = await staff.PostAsync(board.Id, "Insight four, still open");

        await using var screen = await OpenAsync("manager", device, lang);
        await screen.SignInAsync("manager");
        await screen.GoAsync($"#/insights/?boardId={board.Id}");
        await Expect(screen.Page.Locator("#insight-weeks-table tbody tr").First).ToBeVisibleAsync();
        await AssertFiguresMatchTrailAsync(screen, board);
        await Expect(screen.Page.Locator("#insight-weeks-chart")).ToBeVisibleAsync();
        Assert.Equal(0, await screen.HorizontalOverflowAsync());
        await screen.AssertAccessibleAsync("insights");
        await screen.ScreenshotAsync($"insights-{device}-{lang}.png");

        // Live: a commit elsewhere changes the figures on the open page.
        (await staff.Client.PostAsync($"/api/proposals/{fourth.Id}/withdraw", null)).EnsureSuccessStatusCode();
        await AssertFiguresMatchTrailAsync(screen, board);
        Assert.Equal("2", (await screen.Page.Locator("#insight-weeks-table tbody td:nth-of-type(3)").AllTextContentsAsync()).Sum(int.Parse).ToString());

        var csv = await screen.Page.Locator("#insights-csv").GetAttributeAsync("href");
        Assert.Contains($"boardId={board.Id}", csv);
        Assert.Contains("format=csv", csv);
        AssertNoErrors(screen);
    }

    /// <summary>The page's tables against the board's trail, read through the public audit API.</summary>
    private async Task AssertFiguresMatchTrailAsync(Screen screen, BoardDto board)
    {
        using var manager = await app.SignInAsync("manager");
        var trail = (await manager.Client.GetFromJsonAsync<TrailPage>($"/api/audit?boardId={board.Id}&after=0&limit=500", BoardApp.Json))!.Items;
        int Count(string action) => trail.Count(e => e.Action == action);
        var expected = new[] { Count("proposal.executed"), Count("proposal.completed"), Count("proposal.withdrawn"), Count("proposal.expired") };

        var weekly = screen.Page.Locator("#insight-weeks-table tbody tr");
        for (var column = 0; column < 4; column++)
        {
            var col = column;
            await Expect(weekly.First).ToBeVisibleAsync();
            var deadline = DateTime.UtcNow.AddSeconds(5);
            int sum;
            do
            {
                var cells = await screen.Page.Locator($"#insight-weeks-table tbody td:nth-of-type({col + 1})").AllTextContentsAsync();
                sum = cells.Sum(int.Parse);
                if (sum == expected[col]) break;
                await Task.Delay(200);
            } while (DateTime.UtcNow < deadline);
            Assert.Equal(expected[col], sum);
        }

        var posted = trail.Where(e => e.Action == "proposal.posted").ToDictionary(e => e.ProposalId!.Value, e => DateTimeOffset.Parse(e.At));
        var toExecution = trail.Where(e => e.Action == "proposal.executed").Select(e => (DateTimeOffset.Parse(e.At) - posted[e.ProposalId!.Value]).TotalHours).Order().ToList();
        var timing = screen.Page.Locator("#insight-timing-table tbody tr").First;
        await Expect(timing.Locator("td").Nth(0)).ToHaveTextAsync(toExecution.Count.ToString());
        var median = Math.Round(toExecution[(int)Math.Ceiling(0.5 * toExecution.Count) - 1], 2);
        // The page's own formatter says the trail's figure in the page's language (passed as text: a double 0 crosses as -0).
        var shown = await screen.Page.EvaluateAsync<string>("async (h) => (await import('/insights.js')).hours(Number(h))", median.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(timing.Locator("td").Nth(1)).ToHaveTextAsync(shown);

        var approvals = trail.Where(e => e.Action == "approval.added").GroupBy(e => e.Actor.Name).ToDictionary(g => g.Key, g => g.Count());
        var rows = screen.Page.Locator("#insight-approvers-table tbody tr");
        await Expect(rows).ToHaveCountAsync(approvals.Count);
        foreach (var (name, n) in approvals)
            await Expect(rows.Filter(new() { HasText = name }).Locator("td")).ToHaveTextAsync(n.ToString());

        var open = posted.Keys.Count(id => !trail.Any(e => e.ProposalId == id && e.Action is "proposal.executed" or "proposal.withdrawn" or "proposal.expired"));
        var ages = await screen.Page.Locator("#insight-ages-table tbody td").AllTextContentsAsync();
        Assert.Equal(open, ages.Sum(int.Parse));
        output.WriteLine($"trail: {string.Join(",", expected)} decisions, {toExecution.Count} executions (median {median} h), {open} open");
    }
}
