using System.Net;
using System.Net.Http.Json;
using Board.Web.Boards;
using Board.Web.Trail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Trail;

/// <summary>The Trail page as a manager, a member of staff and a phone in Korean use it.</summary>
[Trait("Kind", "Browser")]
public sealed class TrailPageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    internal const string Rows = "#trail-list > li.trail-entry";

    [Fact]
    public async Task Manager_FiltersByBoardAndAction_TheUrlCarriesThem_AndTheSharedUrlShowsTheSameView()
    {
        var boards = await BoardsAsync();
        var board = boards[1];
        await using var manager = await Screen.OpenAsync(app.Browser, app.BaseAddress, "manager");
        await manager.SignInAsync("manager");
        await manager.Page.Locator("a[data-route=trail]").ClickAsync();
        await Expect(manager.Page.Locator("#trail-title")).ToHaveTextAsync("Trail");
        await Expect(manager.Page.Locator(Rows).First).ToBeVisibleAsync();

        // Entries first: the filters are folded until opened.
        await Expect(manager.Page.GetByLabel("Board", new() { Exact = true })).ToBeHiddenAsync();
        await manager.Page.Locator("#trail-filter-box summary").ClickAsync();
        await manager.Page.GetByLabel("Board", new() { Exact = true }).SelectOptionAsync(board.Id.ToString());
        await manager.Page.GetByLabel("Action", new() { Exact = true }).SelectOptionAsync("approval.added");
        await Expect(manager.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/trail/\\?.*boardId={board.Id}.*action=approval.added"));
        await Expect(manager.Page.Locator($"{Rows}:not([data-action='approval.added'])")).ToHaveCountAsync(0);
        await Expect(manager.Page.Locator(Rows).First).ToBeVisibleAsync();
        await Expect(manager.Page.Locator("#trail-filters-heading")).ToContainTextAsync("(2 active)");
        await Expect(manager.Page.Locator("a[data-route='trail']")).ToHaveAttributeAsync("aria-current", "page");
        var seqs = await SeqsAsync(manager.Page);
        await manager.ScreenshotAsync("trail.png", fullPage: false);
        Assert.All(await manager.Page.Locator($"{Rows} a.trail-board").AllTextContentsAsync(), name => Assert.Equal(board.Name, name));
        Assert.Equal(seqs.OrderDescending(), seqs);
        await Expect(manager.Page.Locator("#trail-status")).ToContainTextAsync($"{seqs.Count} entries");

        // What the API says for the same filters is what the page shows.
        using var api = await app.SignInAsync("manager");
        var expected = (await api.Client.GetFromJsonAsync<TrailPage>($"/api/audit?boardId={board.Id}&action=approval.added&limit=50", BoardApp.Json))!;
        Assert.Equal(expected.Items.Select(e => e.Seq), seqs);

        var url = manager.Page.Url;
        await manager.Page.ReloadAsync();
        await Expect(manager.Page.Locator("#trail-board")).ToHaveValueAsync(board.Id.ToString());
        await Expect(manager.Page.Locator("#trail-action")).ToHaveValueAsync("approval.added");
        await Expect(manager.Page.Locator(Rows)).ToHaveCountAsync(seqs.Count);
        Assert.Equal(seqs, await SeqsAsync(manager.Page));

        // Shared with a member of staff: the same view, but no export.
        await using var staff = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff2");
        await staff.SignInAsync("staff2");
        await staff.Page.GotoAsync(url);
        await Expect(staff.Page.Locator("#trail-action")).ToHaveValueAsync("approval.added");
        await Expect(staff.Page.Locator(Rows)).ToHaveCountAsync(seqs.Count);
        Assert.Equal(seqs, await SeqsAsync(staff.Page));
        await Expect(staff.Page.Locator("#trail-export-csv")).ToHaveCountAsync(0);
        Assert.DoesNotContain("null", await staff.Page.Locator("#main").InnerTextAsync());
        Assert.Empty(staff.Errors);

        // The manager's export link carries the same filters, and what it returns is those entries.
        var href = await manager.Page.Locator("#trail-export-csv").GetAttributeAsync("href");
        Assert.Contains($"boardId={board.Id}", href);
        Assert.Contains("action=approval.added", href);
        var response = await manager.Page.APIRequest.GetAsync(href!);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/csv", response.Headers["content-type"]);
        var lines = (await response.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("seq,at,actorId,actorName,action,boardId", lines[0]);
        var rows = lines[1..].Where(l => !l.StartsWith('#')).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Contains($",approval.added,{board.Id},", row));
        // Oldest first, up to the head: its newest rows are the ones on the page.
        var exported = rows.Select(row => long.Parse(row[..row.IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(seqs.Order(), exported.TakeLast(seqs.Count));
        var staffExport = await staff.Page.APIRequest.GetAsync(href!);
        Assert.Equal(403, staffExport.Status);

        // Live, through the filters: the approval arrives at the top; the posting, another action, does not.
        using var poster = await app.SignInAsync("staff1");
        var proposal = await poster.PostAsync(board.Id, "Filtered live on the trail");
        using var ops = await app.SignInAsync("ops3");
        (await ops.ApproveAsync(proposal.Id)).EnsureSuccessStatusCode();
        foreach (var screen in new[] { manager, staff })
        {
            await Expect(screen.Page.Locator(Rows).First.Locator("a.trail-proposal")).ToHaveAttributeAsync("href", $"#/proposal/{proposal.Id}");
            await Expect(screen.Page.Locator(Rows)).ToHaveCountAsync(seqs.Count + 1);
            await Expect(screen.Page.Locator($"{Rows}:not([data-action='approval.added'])")).ToHaveCountAsync(0);
        }
        Assert.Empty(manager.Errors);
    }

    [Fact]
    public async Task AnApprovalElsewhere_AppearsLiveAtTheTop_AndLoadOlderPagesBack_WithoutDuplicates()
    {
        var board = (await BoardsAsync())[0];
        await using var manager = await Screen.OpenAsync(app.Browser, app.BaseAddress, "manager");
        await manager.SignInAsync("manager");
        await manager.GoAsync("#/trail/");
        await Expect(manager.Page.Locator(Rows)).ToHaveCountAsync(50);
        await Expect(manager.Page.Locator("#trail-older")).ToBeVisibleAsync();
        var top = (await SeqsAsync(manager.Page))[0];

        // Another session posts and approves through the API; the page shows both without a reload.
        using var staff = await app.SignInAsync("staff3");
        var proposal = await staff.PostAsync(board.Id, "Seen live on the trail");
        using var ops = await app.SignInAsync("ops2");
        (await ops.ApproveAsync(proposal.Id)).EnsureSuccessStatusCode();
        var first = manager.Page.Locator(Rows).First;
        await Expect(first).ToHaveAttributeAsync("data-action", "approval.added");
        await Expect(first.Locator(".trail-actor")).ToHaveTextAsync(ops.Member.DisplayName);
        await Expect(first.Locator("a.trail-proposal")).ToHaveAttributeAsync("href", $"#/proposal/{proposal.Id}");
        await Expect(first.Locator("a.trail-proposal")).ToHaveTextAsync("Seen live on the trail");
        await Expect(manager.Page.Locator(Rows).Nth(1)).ToHaveAttributeAsync("data-action", "proposal.posted");
        var live = await SeqsAsync(manager.Page);
        Assert.True(live[0] > top && live[1] > top, $"new entries {live[0]}, {live[1]} above the old top {top}");

        // Older pages: by the button (keyboard), then by scrolling to the end.
        await manager.Page.Locator("#trail-older").FocusAsync();
        await manager.Page.Keyboard.PressAsync("Enter");
        await Expect(manager.Page.Locator(Rows)).ToHaveCountAsync(102);
        await manager.Page.Locator(".trail-sentinel").ScrollIntoViewIfNeededAsync();
        await Expect(manager.Page.Locator(Rows)).ToHaveCountAsync(152);
        var seqs = await SeqsAsync(manager.Page);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        Assert.All(seqs.Zip(seqs.Skip(1)), pair => Assert.True(pair.First > pair.Second, $"{pair.First} then {pair.Second}"));

        // Scrolled down, a new entry waits behind a button instead of shifting the list. (With the end of the list
        // still in view, older pages may go on loading meanwhile: what must not change is the top.)
        var topShown = (await SeqsAsync(manager.Page))[0];
        (await ops.Client.DeleteAsync($"/api/proposals/{proposal.Id}/approvals/me")).EnsureSuccessStatusCode();
        await Expect(manager.Page.Locator("#trail-new")).ToHaveTextAsync("Show new entries (1)");
        Assert.Equal(topShown, (await SeqsAsync(manager.Page)).Max());
        await manager.Page.Locator("#trail-new").ClickAsync();
        await Expect(manager.Page.Locator(Rows).First).ToHaveAttributeAsync("data-action", "approval.withdrawn");
        await Expect(manager.Page.Locator("#trail-new")).ToBeHiddenAsync();
        Assert.Empty(manager.Errors);
    }

    [Fact]
    public async Task Verify_ShowsValid_AndTheHead_AndChecksAHeadGivenEarlier()
    {
        using var api = await app.SignInAsync("manager");
        await using var manager = await Screen.OpenAsync(app.Browser, app.BaseAddress, "manager");
        await manager.SignInAsync("manager");
        await manager.GoAsync("#/trail/");
        var head = (await api.Client.GetFromJsonAsync<TrailHead>("/api/audit/head", BoardApp.Json))!;
        await Expect(manager.Page.Locator("#trail-head-seq-value")).ToHaveTextAsync(head.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(manager.Page.Locator("#trail-head-hash-value")).ToHaveTextAsync(head.Hash);
        await Expect(manager.Page.Locator("#trail-head-at-value")).ToHaveAttributeAsync("datetime", head.At!);
        await Expect(manager.Page.Locator("#trail-head-at-value")).Not.ToHaveTextAsync(head.At!);

        await manager.Page.Locator("#trail-proof-box > summary").ClickAsync();
        await manager.Page.GetByRole(AriaRole.Button, new() { Name = "Verify the trail" }).ClickAsync();
        var result = manager.Page.Locator("#trail-verify-result");
        await Expect(result).ToHaveAttributeAsync("data-valid", "true");
        await Expect(result).ToContainTextAsync("Valid:");
        await Expect(result.Locator("code.hash")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{64}$"));

        await manager.Page.GetByText("Verify against a head written down earlier").ClickAsync();
        await manager.Page.GetByLabel("Head seq").FillAsync(head.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await manager.Page.GetByLabel("Head hash").FillAsync(head.Hash);
        await manager.Page.GetByRole(AriaRole.Button, new() { Name = "Verify against this head" }).ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-valid", "true");
        await Expect(result).ToContainTextAsync($"still holds the head you gave (seq {head.Seq})");

        // A head the trail never had: the answer names where it breaks.
        await manager.Page.GetByLabel("Head hash").FillAsync(new string('a', 64));
        await manager.Page.GetByRole(AriaRole.Button, new() { Name = "Verify against this head" }).ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-valid", "false");
        await Expect(result.Locator(".trail-invalid")).ToContainTextAsync($"entry #{head.Seq}");
        await manager.ScreenshotAsync("trail-verify.png", fullPage: false);
        Assert.Empty(manager.Errors);
    }

    [Fact]
    public async Task ProofPanel_ShowsTheCheckpoint_ManagerDownloadsIt_AndAnEntryIsProvenInTheBrowser()
    {
        await app.Services.GetRequiredService<CheckpointWriter>().MakeAsync(force: true, default);
        var checkpoint = await app.Anonymous().GetStringAsync("/api/audit/checkpoint");
        await using var manager = await Screen.OpenAsync(app.Browser, app.BaseAddress, "manager");
        await manager.SignInAsync("manager");
        await manager.GoAsync("#/trail/");
        await Expect(manager.Page.Locator(Rows).First).ToBeVisibleAsync();
        await manager.Page.Locator("#trail-proof-box > summary").FocusAsync();
        await manager.Page.Keyboard.PressAsync("Enter");
        await Expect(manager.Page.Locator("#trail-checkpoint-text")).ToHaveTextAsync(checkpoint.TrimEnd('\n'));
        var download = await manager.Page.RunAndWaitForDownloadAsync(() => manager.Page.Locator("#trail-checkpoint-download").ClickAsync());
        Assert.Equal(checkpoint, await File.ReadAllTextAsync((await download.PathAsync())!));
        var key = await manager.Page.RunAndWaitForDownloadAsync(() => manager.Page.Locator("#trail-key-download").ClickAsync());
        Assert.NotNull(SignedNote.ParseVerifierKey(await File.ReadAllTextAsync((await key.PathAsync())!)));

        // An entry the checkpoint covers: its path recomputed here, with WebCrypto, up to the signed root.
        var size = long.Parse(checkpoint.Split('\n')[1], System.Globalization.CultureInfo.InvariantCulture);
        var seq = long.Parse((await manager.Page.Locator(Rows).Nth(10).GetAttributeAsync("data-seq"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(seq <= size);
        var row = manager.Page.Locator($"{Rows}[data-seq='{seq}']");
        await row.Locator(".trail-hashes summary").ClickAsync();
        await row.Locator("button.trail-prove").ClickAsync();
        await Expect(row.Locator(".trail-prove-result")).ToHaveAttributeAsync("data-verified", "true");
        await Expect(row.Locator(".trail-prove-result")).ToContainTextAsync("Proven");
        await manager.AssertAccessibleAsync("trail proof panel");
        Assert.Empty(manager.Errors);

        // Staff see the checkpoint and prove entries, in Korean, but download nothing.
        await using var staff = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff3", locale: "ko-KR");
        await staff.SignInAsync("staff3");
        await staff.GoAsync("#/trail/");
        await staff.Page.Locator("#trail-proof-box > summary").ClickAsync();
        await Expect(staff.Page.Locator("#trail-checkpoint-heading")).ToHaveTextAsync("서명된 체크포인트");
        await Expect(staff.Page.Locator("#trail-checkpoint-download")).ToHaveCountAsync(0);
        await Expect(staff.Page.Locator("#trail-key-download")).ToHaveCountAsync(0);
        var first = staff.Page.Locator(Rows).First;
        await first.Locator(".trail-hashes summary").ClickAsync();
        await first.Locator("button.trail-prove").ClickAsync();
        await Expect(first.Locator(".trail-prove-result p").First).Not.ToBeEmptyAsync();
        await staff.AssertAccessibleAsync("trail proof panel, Korean");
        Assert.Empty(staff.Errors);
    }

    [Fact]
    public async Task OnAKoreanPhone_StaffSeesKoreanLabels_NoExport_AndNothingOverflows()
    {
        await using var staff = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff1", Screen.Phone, locale: "ko-KR", colorScheme: ColorScheme.Dark);
        await staff.SignInAsync("staff1");
        await staff.GoAsync("#/trail/");
        await Expect(staff.Page.Locator("#trail-title")).ToHaveTextAsync("감사 기록");
        await Expect(staff.Page.Locator(Rows)).ToHaveCountAsync(50);
        await Expect(staff.Page.GetByRole(AriaRole.Button, new() { Name = "기록 검증" })).ToBeHiddenAsync();
        // The filters fold away on a phone, and open by keyboard.
        await Expect(staff.Page.GetByLabel("작업", new() { Exact = true })).ToBeHiddenAsync();
        await staff.Page.Locator("#trail-filter-box summary").FocusAsync();
        await staff.Page.Keyboard.PressAsync("Enter");
        await Expect(staff.Page.GetByLabel("작업", new() { Exact = true })).ToBeVisibleAsync();
        Assert.Equal(0, await staff.HorizontalOverflowAsync());
        await staff.ScreenshotAsync("phone-trail-ko.png", fullPage: false);
        await Expect(staff.Page.Locator("#trail-older")).ToHaveTextAsync("이전 항목 불러오기");
        await Expect(staff.Page.Locator($"{Rows} .trail-action-label").First).Not.ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Za-z .-]+$"));
        await Expect(staff.Page.Locator("#trail-export-csv")).ToHaveCountAsync(0);

        await staff.Page.Locator($"{Rows} .trail-hashes summary").First.ClickAsync();
        await Expect(staff.Page.Locator($"{Rows} .trail-hashes code.hash").First).ToBeVisibleAsync();
        await staff.Page.Locator("#trail-proof-box > summary").ClickAsync();
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "기록 검증" }).ClickAsync();
        await Expect(staff.Page.Locator("#trail-verify-result")).ToContainTextAsync("정상");
        Assert.Equal(0, await staff.HorizontalOverflowAsync());
        await staff.Page.Locator(Rows).First.ScrollIntoViewIfNeededAsync();
        await staff.ScreenshotAsync("phone-trail-ko-entries.png", fullPage: false);
        Assert.Empty(staff.Errors);
    }

    private async Task<List<BoardDto>> BoardsAsync()
    {
        using var staff = await app.SignInAsync("staff1");
        return (await staff.Client.GetFromJsonAsync<List<BoardDto>>("/api/boards", BoardApp.Json))!;
    }

    /// <summary>The seq of every row, top to bottom.</summary>
    internal static async Task<List<long>> SeqsAsync(IPage page) =>
        [.. (await page.Locator(Rows).EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.seq))"))];
}
