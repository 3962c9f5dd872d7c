using System.Net;
using System.Net.Http.Json;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Boards;
using Board.Web.Trail;
using Board.Web.Webhooks;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Frontend;

/// <summary>The browser app with webhook retries fast enough to watch a failed attempt turn into a delivery.</summary>
public sealed class AdminBrowserApp : BrowserApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Webhooks:FirstRetrySeconds"] = "0.2",
        ["Webhooks:MaxRetrySeconds"] = "1",
        ["Webhooks:PollMilliseconds"] = "100",
        ["Webhooks:TimeoutSeconds"] = "2",
    };
}

[Trait("Kind", "Browser")]
public sealed partial class AdminPageTests(AdminBrowserApp app) : IClassFixture<AdminBrowserApp>
{
    [Fact]
    public async Task AdminCreatesRenamesAndChangesThePolicyOfABoard_TheSwitcherShowsIt_AndTheTrailHasEveryChange()
    {
        using var api = await app.SignInAsync("admin");
        var headBefore = await HeadSeqAsync(api);
        await using var admin = await Screen.OpenAsync(app.Browser, app.BaseAddress, "admin");
        await admin.SignInAsync("admin");
        await Expect(admin.Page.Locator("a[data-route=admin]")).ToBeVisibleAsync();
        await admin.Page.Locator("a[data-route=admin]").ClickAsync();
        await Expect(admin.Page.Locator("#admin-tab-boards")).ToHaveAttributeAsync("aria-current", "page");

        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create board" }).ClickAsync();
        await Expect(admin.Page.Locator("#new-board-name-error")).ToHaveTextAsync("Fill this in.");
        await Expect(admin.Page.Locator("#new-board-name")).ToBeFocusedAsync();

        var name = $"Bakery {Guid.NewGuid():N}"[..16];
        await admin.Page.Locator("#new-board-name").FillAsync(name);
        await admin.Page.Locator("#new-board-approvals").FillAsync("2");
        await admin.Page.Locator("#new-board-role").SelectOptionAsync("operations");
        await admin.Page.Locator("#new-board-expiry").FillAsync("7");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create board" }).ClickAsync();
        var card = admin.Page.Locator("#admin-boards .admin-board", new() { HasText = name });
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card.Locator(".board-policy")).ToHaveTextAsync("Executes at 2 approvals by operations · open proposals expire after 7 days");
        await Expect(admin.Page.Locator("#board-switcher option", new() { HasText = name })).ToHaveCountAsync(1);
        var boardId = Guid.Parse((await card.GetAttributeAsync("data-id"))!);

        var renamed = name + " & deli";
        await card.Locator(".rename summary").ClickAsync();
        await card.Locator(".rename-form input[name=name]").FillAsync(renamed);
        await card.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        card = admin.Page.Locator($"#admin-boards .admin-board[data-id='{boardId}']");
        await Expect(card.Locator(".board-name")).ToHaveTextAsync(renamed);
        await Expect(admin.Page.Locator("#board-switcher option", new() { HasText = renamed })).ToHaveCountAsync(1);
        await Expect(admin.Page.Locator("#announcer")).ToHaveTextAsync($"Board renamed to “{renamed}”.");

        // The policy form says what happens to proposals already posted, and shows the server's field error in place.
        await card.Locator(".policy summary").ClickAsync();
        var policyForm = card.Locator(".policy-form");
        await Expect(policyForm.Locator(".warning")).ToContainTextAsync("keep the quorum and approver role they were posted under");
        await policyForm.Locator("input[name=approvalsRequired]").FillAsync("30");
        await policyForm.GetByRole(AriaRole.Button, new() { Name = "Save policy" }).ClickAsync();
        await Expect(policyForm.Locator(".field-error").First).ToContainTextAsync("between 1 and 25");
        await Expect(policyForm.Locator("input[name=approvalsRequired]")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(policyForm.Locator("input[name=approvalsRequired]")).ToBeFocusedAsync();
        await policyForm.Locator("input[name=approvalsRequired]").FillAsync("4");
        await policyForm.Locator("select[name=approverRole]").SelectOptionAsync("manager");
        await policyForm.Locator("input[name=expiresAfterDays]").FillAsync("0");
        await policyForm.GetByRole(AriaRole.Button, new() { Name = "Save policy" }).ClickAsync();
        await Expect(card.Locator(".board-policy")).ToHaveTextAsync("Executes at 4 approvals by manager · open proposals never expire");
        await admin.ScreenshotAsync("admin-boards.png");

        var board = (await api.Client.GetFromJsonAsync<BoardDto>($"/api/boards/{boardId}", BoardApp.Json))!;
        Assert.Equal(renamed, board.Name);
        Assert.Equal(new PolicyDto(4, "manager", 0), board.Policy);
        var trail = await EntriesSinceAsync(api, headBefore);
        Assert.Equal(["board.created", "board.renamed", "board.policy-changed"],
            trail.Where(e => e.BoardId == boardId).Select(e => e.Action));

        // The switcher takes you to the new board.
        await admin.Page.Locator("#board-switcher").SelectOptionAsync(boardId.ToString());
        await Expect(admin.Page.Locator("#board-title")).ToHaveTextAsync(renamed);
        AssertNoScriptErrors(admin);
    }

    [Fact]
    public async Task AdminCreatesAMember_WhoSignsIn_DeactivatingThemRefusesTheirSignIn_ReactivatingAndNewRolesWork()
    {
        using var api = await app.SignInAsync("admin");
        var headBefore = await HeadSeqAsync(api);
        await using var admin = await AdminOnTabAsync("members");

        var email = $"new-{Guid.NewGuid():N}"[..12] + "@demo.board";
        const string displayName = "Nadia Newcomer";
        const string password = "Board!first-day1";
        await admin.Page.Locator("#new-member-name").FillAsync(displayName);
        await admin.Page.Locator("#new-member-email").FillAsync(email);
        await admin.Page.Locator("#new-member-password").FillAsync("short");
        await admin.Page.Locator("#new-member-roles input[value=operations]").CheckAsync();
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(admin.Page.Locator("#new-member-password-error")).ToBeVisibleAsync();
        await Expect(admin.Page.Locator("#new-member-password")).ToHaveAttributeAsync("aria-invalid", "true");
        await admin.Page.Locator("#new-member-password").FillAsync(password);
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();

        var row = admin.Page.Locator("#admin-members tbody tr", new() { HasText = email });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToHaveAttributeAsync("data-active", "true");
        await Expect(row.Locator("input[value=staff]")).ToBeCheckedAsync();
        await Expect(row.Locator("input[value=operations]")).ToBeCheckedAsync();
        await Expect(row.Locator("input[value=manager]")).Not.ToBeCheckedAsync();
        var memberId = Guid.Parse((await row.GetAttributeAsync("data-id"))!);

        await using var newcomer = await Screen.OpenAsync(app.Browser, app.BaseAddress, "newcomer");
        await SignInByHandAsync(newcomer, email, password);
        await Expect(newcomer.Page.Locator("#board-title")).ToBeVisibleAsync();
        await Expect(newcomer.Page.Locator("#me-name")).ToHaveTextAsync(displayName);

        // Deactivating asks first, in the page; cancelling changes nothing.
        await row.Locator("button[data-action=deactivate]").ClickAsync();
        await Expect(row.Locator(".confirm")).ToContainTextAsync("Their past approvals stay");
        await Expect(row.Locator(".confirm-no")).ToBeFocusedAsync();
        await row.Locator(".confirm-no").ClickAsync();
        await Expect(row.Locator(".confirm")).ToHaveCountAsync(0);
        await Expect(row.Locator("button[data-action=deactivate]")).ToBeFocusedAsync();
        await row.Locator("button[data-action=deactivate]").ClickAsync();
        await row.Locator(".confirm-yes").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-active", "false");
        await Expect(row.Locator(".member-status")).ToContainTextAsync("Deactivated");
        await Expect(row.Locator("button[data-action=reactivate]")).ToBeFocusedAsync();

        // Their open page loses its session; signing in again is refused with a clear message.
        await newcomer.Page.ReloadAsync();
        await Expect(newcomer.Page.Locator("#signin-email")).ToBeVisibleAsync();
        await SignInByHandAsync(newcomer, email, password);
        await Expect(newcomer.Page.Locator("#signin-error")).ToHaveTextAsync("This account is deactivated. Ask an administrator to reactivate it.");

        await row.Locator("button[data-action=reactivate]").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-active", "true");

        await row.Locator("input[value=staff]").UncheckAsync();
        await row.Locator("input[value=manager]").CheckAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Save roles" }).ClickAsync();
        await Expect(admin.Page.Locator("#announcer")).ToHaveTextAsync($"Roles of {displayName} saved: operations and manager.");
        var saved = (await api.Client.GetFromJsonAsync<List<MemberDto>>("/api/members", BoardApp.Json))!.Single(m => m.Id == memberId);
        Assert.Equal(["operations", "manager"], saved.Roles);
        Assert.True(saved.IsActive);
        await admin.ScreenshotAsync("admin-members.png");

        await SignInByHandAsync(newcomer, email, password);
        await Expect(newcomer.Page.Locator("#me-roles")).ToHaveTextAsync("operations · manager");

        var trail = await EntriesSinceAsync(api, headBefore);
        Assert.Equal(["member.created", "member.deactivated", "member.reactivated", "member.roles-changed"],
            trail.Where(e => e.Data.TryGetProperty("memberId", out var id) && id.GetString() == memberId.ToString()).Select(e => e.Action));
        AssertNoScriptErrors(admin);
        AssertNoScriptErrors(newcomer);
    }

    [Fact]
    public async Task StaffOpeningAdministration_SeesItIsForAdminsOnly_AndHasNoAdminLink()
    {
        await using var staff = await Screen.OpenAsync(app.Browser, app.BaseAddress, "staff1");
        await staff.SignInAsync("staff1");
        await Expect(staff.Page.Locator("a[data-route=admin]")).ToBeHiddenAsync();
        await staff.GoAsync("#/admin/members");
        await Expect(staff.Page.Locator("#admin-denied")).ToContainTextAsync("Only administrators can open this page.");
        await Expect(staff.Page.Locator("#admin-members")).ToHaveCountAsync(0);
        await Expect(staff.Page.Locator(".admin-tabs")).ToHaveCountAsync(0);
        AssertNoScriptErrors(staff);
    }

    [Fact]
    public async Task AnAdminWhoseRoleWasTakenAwayMeanwhile_IsToldItIsForAdminsOnly()
    {
        using var api = await app.SignInAsync("admin");
        var email = $"gone-{Guid.NewGuid():N}"[..13] + "@demo.board";
        const string password = "Board!former-admin1";
        var created = await api.Client.PostAsJsonAsync("/api/members", new { email, displayName = "Former Admin", password, roles = new[] { "staff", "admin" } });
        var member = (await created.Content.ReadFromJsonAsync<MemberDto>(BoardApp.Json))!;
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "former-admin");
        await SignInByHandAsync(screen, email, password);
        await Expect(screen.Page.Locator("a[data-route=admin]")).ToBeVisibleAsync();

        Assert.Equal(HttpStatusCode.OK, (await api.Client.PutAsJsonAsync($"/api/members/{member.Id}/roles", new { roles = new[] { "staff" } })).StatusCode);
        // The role change ended the session signed in under the old roles: the page asks to sign in again.
        await screen.GoAsync("#/admin/members");
        await Expect(screen.Page.Locator("#signin-email")).ToBeVisibleAsync();
        await SignInByHandAsync(screen, email, password);
        await Expect(screen.Page.Locator("#me-name")).ToHaveTextAsync("Former Admin");
        await screen.GoAsync("#/admin/members");
        await Expect(screen.Page.Locator("#admin-denied")).ToBeVisibleAsync();
        await Expect(screen.Page.Locator("#admin-members")).ToHaveCountAsync(0);
        AssertNoScriptErrors(screen, revokedSession: true);
    }

    [Fact]
    public async Task OnAKoreanPhone_EveryAdminTabIsKorean_AndNothingOverflowsSideways()
    {
        await using var admin = await Screen.OpenAsync(app.Browser, app.BaseAddress, "admin-ko", Screen.Phone, locale: "ko-KR", colorScheme: ColorScheme.Dark);
        await admin.SignInAsync("admin");
        await Expect(admin.Page.Locator("a[data-route=admin]")).ToHaveTextAsync("관리");

        await admin.GoAsync("#/admin/boards");
        await Expect(admin.Page.Locator("#admin-heading")).ToHaveTextAsync("관리");
        await Expect(admin.Page.Locator("#create-board-heading")).ToHaveTextAsync("보드 만들기");
        Assert.Equal(0, await admin.HorizontalOverflowAsync());

        await admin.GoAsync("#/admin/webhooks");
        await Expect(admin.Page.Locator("#create-webhook-heading")).ToHaveTextAsync("웹훅 추가");
        Assert.Equal(0, await admin.HorizontalOverflowAsync());

        await admin.GoAsync("#/admin/members");
        await Expect(admin.Page.Locator("#admin-tab-members")).ToHaveTextAsync("구성원");
        await Expect(admin.Page.Locator("#admin-tab-members")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(admin.Page.Locator("#create-member-heading")).ToHaveTextAsync("구성원 추가");
        await Expect(admin.Page.Locator("#admin-members tbody tr").First.Locator(".member-roles legend")).ToContainTextAsync("의 역할");
        Assert.Equal(0, await admin.HorizontalOverflowAsync());
        await admin.ScreenshotAsync("phone-admin-ko.png", fullPage: false);
        await admin.Page.Locator("#members-heading").ScrollIntoViewIfNeededAsync();
        await admin.ScreenshotAsync("phone-admin-ko-members.png", fullPage: false);
        AssertNoScriptErrors(admin);
    }

    private async Task<Screen> AdminOnTabAsync(string tab)
    {
        var admin = await Screen.OpenAsync(app.Browser, app.BaseAddress, "admin");
        await admin.SignInAsync("admin");
        await admin.GoAsync($"#/admin/{tab}");
        await Expect(admin.Page.Locator($"#admin-tab-{tab}")).ToHaveAttributeAsync("aria-current", "page");
        return admin;
    }

    private static async Task SignInByHandAsync(Screen screen, string email, string password)
    {
        if (!await screen.Page.Locator("#signin-email").IsVisibleAsync()) await screen.Page.GotoAsync("/");
        await screen.Page.Locator("#signin-email").FillAsync(email);
        await screen.Page.Locator("#signin-password").FillAsync(password);
        await screen.Page.Locator(".signin-form button[type=submit]").ClickAsync();
    }

    private static async Task<long> HeadSeqAsync(Session api) =>
        (await api.Client.GetFromJsonAsync<TrailPage>("/api/audit?limit=1", BoardApp.Json))!.HeadSeq;

    private static async Task<IReadOnlyList<TrailEntryDto>> EntriesSinceAsync(Session api, long seq) =>
        (await api.Client.GetFromJsonAsync<TrailPage>($"/api/audit?after={seq}&limit=500", BoardApp.Json))!.Items;

    /// <summary>
    /// Script errors only: the browser also logs the 4xx answers the tests provoke on purpose. With
    /// <paramref name="revokedSession"/>, also what revoking the page's session provokes: the server ends its live
    /// connection, and whether the SignalR client tries once more before the page signs in again (the browser and the
    /// client then log the refused handshake, 401 <c>unauthenticated</c>) is a race the test does not decide.
    /// </summary>
    private static void AssertNoScriptErrors(Screen screen, bool revokedSession = false)
    {
        var errors = screen.Errors.Where(e => !e.Contains("Failed to load resource", StringComparison.Ordinal))
            .Where(e => !revokedSession || !IsRefusedHubHandshake(e)).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static bool IsRefusedHubHandshake(string error) =>
        error.Contains("/hubs/board", StringComparison.Ordinal) && error.Contains("HTTP Authentication failed", StringComparison.Ordinal)
        || error.Contains("Failed to start the transport 'WebSockets'", StringComparison.Ordinal)
        || error.Contains("\"code\":\"unauthenticated\"", StringComparison.Ordinal) && error.Contains("negotiat", StringComparison.Ordinal);
}
