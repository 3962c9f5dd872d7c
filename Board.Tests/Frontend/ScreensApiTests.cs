using System.Net;
using System.Net.Http.Json;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Insights;
using Board.Web.Meta;
using Board.Web.Proposals;
using Board.Web.Trail;
using Microsoft.Extensions.Time.Testing;

namespace Board.Tests.Frontend;

/// <summary>The routes behind the three people's screens: waiting for me, my proposals, the vocabulary, insights.</summary>
[Trait("Kind", "Api")]
public sealed class ScreensApiTests(ScreensApp app) : IClassFixture<ScreensApp>
{
    [Fact]
    public async Task Waiting_ListsWhatThisApproverMayApprove_OldestFirst_AndNothingElse()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 2);
        using var staff = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        var first = await staff.PostAsync(board.Id, "First waiting");
        app.FakeClock.Advance(TimeSpan.FromMinutes(1));
        var second = await staff.PostAsync(board.Id, "Second waiting");
        app.FakeClock.Advance(TimeSpan.FromMinutes(1));
        var approvedByOps1 = await staff.PostAsync(board.Id, "Ops1 approved already");
        (await ops1.ApproveAsync(approvedByOps1.Id)).EnsureSuccessStatusCode();
        app.FakeClock.Advance(TimeSpan.FromMinutes(1));
        var ownByOps1 = await ops1.PostAsync(board.Id, "Ops1's own");
        var executed = await staff.PostAsync(board.Id, "Decided already");
        await app.ApproveAsAsync(executed.Id, "ops2", "ops3");
        var withdrawn = await staff.PostAsync(board.Id, "Withdrawn");
        (await staff.Client.PostAsync($"/api/proposals/{withdrawn.Id}/withdraw", null)).EnsureSuccessStatusCode();

        var ops1Waiting = await WaitingOn(ops1, board.Id);
        Assert.Equal([first.Id, second.Id], ops1Waiting.Select(p => p.Id));
        var ops2Waiting = await WaitingOn(ops2, board.Id);
        Assert.Equal([first.Id, second.Id, approvedByOps1.Id, ownByOps1.Id], ops2Waiting.Select(p => p.Id));
        Assert.Empty(await WaitingOn(staff, board.Id));
        var page = (await ops1.Client.GetFromJsonAsync<ProposalPage>("/api/me/waiting", BoardApp.Json))!;
        Assert.Equal(page.Items.Count, page.Total);
        Assert.True(page.Items.Zip(page.Items.Skip(1)).All(x => x.First.PostedAt <= x.Second.PostedAt), "oldest first");
    }

    [Fact]
    public async Task Waiting_LeavesOutAProposalPastItsDeadline_EvenBeforeTheSweep()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        var posted = await staff.PostAsync(board.Id, "Will pass its deadline");
        Assert.Contains(posted.Id, (await WaitingOn(ops1, board.Id)).Select(p => p.Id));
        app.FakeClock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromMinutes(1));
        using var ops1Later = await app.SignInAsync("ops1"); // the earlier token has expired on the moved clock
        Assert.DoesNotContain(posted.Id, (await WaitingOn(ops1Later, board.Id)).Select(p => p.Id));
        await (await ops1Later.ApproveAsync(posted.Id)).IsProblemAsync(HttpStatusCode.Conflict, "not-open");
    }

    [Fact]
    public async Task MyProposals_ShowEachOfMineWithItsStateApproversAndOutcomeNote()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 2);
        using var staff = await app.SignInAsync("staff2");
        using var ops1 = await app.SignInAsync("ops1");
        var open = await staff.PostAsync(board.Id, "Still open");
        (await ops1.ApproveAsync(open.Id)).EnsureSuccessStatusCode();
        var done = await staff.PostAsync(board.Id, "Done one");
        await app.ApproveAsAsync(done.Id, "ops1", "ops2");
        (await ops1.Client.PostAsJsonAsync($"/api/proposals/{done.Id}/complete", new { note = "Fitted on Monday." })).EnsureSuccessStatusCode();
        using var other = await app.SignInAsync("staff3");
        await other.PostAsync(board.Id, "Not mine");

        var mine = (await staff.Client.GetFromJsonAsync<ProposalPage>("/api/me/proposals", BoardApp.Json))!.Items;
        Assert.All(mine, p => Assert.Equal(staff.Member.Id, p.Author.Id));
        var openRow = Assert.Single(mine, p => p.Id == open.Id);
        Assert.Equal(("open", 1, 2), (openRow.Status, openRow.ApprovalCount, openRow.ApprovalsRequired));
        Assert.Equal([ops1.Member.DisplayName], openRow.Approvals.Select(a => a.Name));
        var doneRow = Assert.Single(mine, p => p.Id == done.Id);
        Assert.Equal(("done", "Fitted on Monday.", ops1.Member.DisplayName), (doneRow.Status, doneRow.CompletionNote, doneRow.CompletedBy));
        var onlyDone = (await staff.Client.GetFromJsonAsync<ProposalPage>("/api/me/proposals?status=done", BoardApp.Json))!.Items;
        Assert.All(onlyDone, p => Assert.Equal("done", p.Status));
        await (await staff.Client.GetAsync("/api/me/proposals?status=nope")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Meta_IsTheDomainsVocabulary()
    {
        using var staff = await app.SignInAsync("staff1");
        var meta = (await staff.Client.GetFromJsonAsync<MetaDto>("/api/meta", BoardApp.Json))!;
        Assert.Equal(TrailActions.All, meta.Actions);
        Assert.Equal(Roles.All, meta.Roles);
        Assert.Equal((3, "operations", 14, 1, 25), (meta.Policy.Default.ApprovalsRequired, meta.Policy.Default.ApproverRole, meta.Policy.Default.ExpiresAfterDays, meta.Policy.MinApprovals, meta.Policy.MaxApprovals));
        Assert.Equal((120, 20_000, 5_000, 5_000), (meta.Limits.Title, meta.Limits.Body, meta.Limits.Note, meta.Limits.Comment));
        Assert.Equal((8, 16, 256), (meta.Limits.PasswordMin, meta.Limits.SecretMin, meta.Limits.SecretMax));
        // Each word also by the name the page's code uses for it (Status.executed, Action.proposalExecuted, Role.staff).
        Assert.Equal(meta.Statuses, meta.Status.Values);
        Assert.Equal("executed", meta.Status["executed"]);
        Assert.Equal(TrailActions.All, meta.Action.Values);
        Assert.Equal(TrailActions.BoardPolicyChanged, meta.Action["boardPolicyChanged"]);
        Assert.Equal(Roles.All, meta.Role.Values);
        Assert.Equal(["admin"], meta.May.Administer);
        Assert.Equal(["manager", "admin"], meta.May.Review);
        Assert.Equal(["operations"], meta.May.Complete);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/api/meta")).StatusCode);
    }

    [Fact]
    public async Task Insights_AreTheTrailsFigures_ForManagersOnly_AlsoAsCsv()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 2);
        using var staff = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        var start = app.FakeClock.GetUtcNow();
        var a = await staff.PostAsync(board.Id, "Executes after 2 hours");
        app.FakeClock.Advance(TimeSpan.FromHours(2));
        await app.ApproveAsAsync(a.Id, "ops1", "ops2");
        app.FakeClock.Advance(TimeSpan.FromHours(10));
        using (var ops1Later = await app.SignInAsync("ops1"))
            (await ops1Later.Client.PostAsJsonAsync($"/api/proposals/{a.Id}/complete", new { note = "Done." })).EnsureSuccessStatusCode();
        using var staffLater = await app.SignInAsync("staff1");
        var b = await staffLater.PostAsync(board.Id, "Executes after 4 hours");
        app.FakeClock.Advance(TimeSpan.FromHours(4));
        await app.ApproveAsAsync(b.Id, "ops1", "ops3");
        var withdrawn = await staffLater.PostAsync(board.Id, "Withdrawn");
        (await staffLater.Client.PostAsync($"/api/proposals/{withdrawn.Id}/withdraw", null)).EnsureSuccessStatusCode();
        await staffLater.PostAsync(board.Id, "Still open, two days old");
        app.FakeClock.Advance(TimeSpan.FromDays(2));

        using var manager = await app.SignInAsync("manager");
        using var staffNow = await app.SignInAsync("staff1");
        var insights = (await manager.Client.GetFromJsonAsync<InsightsDto>($"/api/insights?boardId={board.Id}", BoardApp.Json))!;
        Assert.Equal((2, 1, 1, 0), (insights.Weeks.Sum(w => w.Executed), insights.Weeks.Sum(w => w.Done), insights.Weeks.Sum(w => w.Withdrawn), insights.Weeks.Sum(w => w.Expired)));
        Assert.Equal(new DurationDto(2, 2, 4), insights.PostingToExecution);
        Assert.Equal(new DurationDto(1, 10, 10), insights.ExecutionToDone);
        Assert.Equal(1, Assert.Single(insights.OpenByAge, x => x.Bucket == "1-3d").Count);
        Assert.Equal(1, insights.OpenByAge.Sum(x => x.Count));
        Assert.Equal([(ops1.Member.DisplayName, 2)], insights.Approvers.Where(x => x.Approvals > 1).Select(x => (x.Name, x.Approvals)));
        Assert.Equal(4, insights.Approvers.Sum(x => x.Approvals));
        Assert.InRange(insights.Weeks.Count, 12, 13);

        // Before anything happened, the same board had nothing to show.
        var before = (await manager.Client.GetFromJsonAsync<InsightsDto>($"/api/insights?boardId={board.Id}&to={Uri.EscapeDataString(start.ToString("O"))}", BoardApp.Json))!;
        Assert.Equal(0, before.Weeks.Sum(w => w.Executed + w.Done + w.Withdrawn + w.Expired) + before.OpenByAge.Sum(x => x.Count));

        var csv = await manager.Client.GetAsync($"/api/insights?boardId={board.Id}&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("section,key,measure,value", lines[0]);
        Assert.Contains("timing,posting-to-execution,median-hours,2", lines);
        Assert.Contains($"approvals,{ops1.Member.DisplayName},count,2", lines);

        await (await staffNow.Client.GetAsync("/api/insights")).IsProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await manager.Client.GetAsync("/api/insights?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await manager.Client.GetAsync("/api/insights?format=xml")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Client.GetAsync($"/api/insights?boardId={Guid.NewGuid()}")).StatusCode);
        using var adminNow = await app.SignInAsync("admin");
        using var adminInsights = await adminNow.Client.GetAsync("/api/insights");
        Assert.Equal(HttpStatusCode.OK, adminInsights.StatusCode);
    }

    [Fact]
    public void Percentiles_AreNearestRank()
    {
        double[] hours = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, InsightsCalculator.Percentile(hours, 0.5));
        Assert.Equal(9, InsightsCalculator.Percentile(hours, 0.9));
        Assert.Equal(7, InsightsCalculator.Percentile([7], 0.9));
        Assert.Equal(new DateOnly(2026, 11, 23), InsightsCalculator.WeekOf(new DateTimeOffset(2026, 11, 29, 23, 0, 0, TimeSpan.Zero)));
    }

    private static async Task<List<ProposalSummaryDto>> WaitingOn(Session who, Guid boardId) =>
        [.. (await who.Client.GetFromJsonAsync<ProposalPage>("/api/me/waiting", BoardApp.Json))!.Items.Where(p => p.BoardId == boardId)];
}

/// <summary>The app on a fake clock that only the tests move (the expiry sweeper is slowed so it does not sweep mid-test).</summary>
public sealed class ScreensApp : BoardApp
{
    public FakeTimeProvider FakeClock { get; } = new(DateTimeOffset.UtcNow);
    protected override FakeTimeProvider Clock => FakeClock;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Expiry:IntervalSeconds"] = "3600" };
}
