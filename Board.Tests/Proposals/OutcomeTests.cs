using System.Net;
using System.Net.Http.Json;
using Board.Web.Notifications;
using Board.Web.Proposals;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Proposals;

[Trait("Kind", "Api")]
public sealed class OutcomeTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task Complete_NeedsAnExecutedProposal_AnOperationsMember_AndANote()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        var board = await admin.NewBoardAsync(approvalsRequired: 1);
        var proposal = await staff.PostAsync(board.Id);

        await (await CompleteAsync(ops1, proposal.Id, "Too early")).IsProblemAsync(HttpStatusCode.Conflict, "not-executed");
        Assert.Equal(HttpStatusCode.OK, (await ops1.ApproveAsync(proposal.Id)).StatusCode);
        await (await CompleteAsync(staff, proposal.Id, "Staff cannot")).IsProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await CompleteAsync(ops2, proposal.Id, "")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await CompleteAsync(ops2, proposal.Id, "   ")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.Equal("executed", (await staff.GetAsync(proposal.Id)).Status);

        var done = await CompleteAsync(ops2, proposal.Id, "Basket return installed on Monday; queues shorter.");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var result = (await done.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Equal("done", result.Status);
        Assert.Equal("Basket return installed on Monday; queues shorter.", result.CompletionNote);
        Assert.NotNull(result.CompletedAt);
        await (await CompleteAsync(ops1, proposal.Id, "Again")).IsProblemAsync(HttpStatusCode.Conflict, "not-executed");

        var trail = (await staff.Client.GetFromJsonAsync<TrailPage>($"/api/audit?proposalId={proposal.Id}&action=proposal.completed", BoardApp.Json))!;
        Assert.Equal("Basket return installed on Monday; queues shorter.", Assert.Single(trail.Items).Data.GetProperty("note").GetString());
    }

    [Fact]
    public async Task ExecutedSort_ListsTheOutcomesOwedLongestFirst()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        using var ops = await app.SignInAsync("ops1");
        var board = await admin.NewBoardAsync(approvalsRequired: 1);
        var a = await staff.PostAsync(board.Id, "A");
        var b = await staff.PostAsync(board.Id, "B");
        var c = await staff.PostAsync(board.Id, "C");
        var open = await staff.PostAsync(board.Id, "Still open");
        foreach (var p in new[] { b, c, a })
        {
            Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(p.Id)).StatusCode);
            await Task.Delay(5);
        }

        var awaiting = (await staff.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{board.Id}/proposals?status=executed&sort=executed", BoardApp.Json))!;
        Assert.Equal(["B", "C", "A"], awaiting.Items.Select(p => p.Title));
        var newest = (await staff.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{board.Id}/proposals?status=executed", BoardApp.Json))!;
        Assert.Equal(["C", "B", "A"], newest.Items.Select(p => p.Title));
        var all = (await staff.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{board.Id}/proposals", BoardApp.Json))!;
        Assert.Equal(open.Id, all.Items[0].Id);
        await (await staff.Client.GetAsync($"/api/boards/{board.Id}/proposals?sort=sideways")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Author_IsToldTheirProposalExecuted_OnTheHubWithoutWatching_AndInTheirFeed()
    {
        using var admin = await app.SignInAsync("admin");
        using var author = await app.SignInAsync("staff2");
        using var other = await app.SignInAsync("staff3");
        using var ops = await app.SignInAsync("ops1");
        var board = await admin.NewBoardAsync(approvalsRequired: 1);
        var proposal = await author.PostAsync(board.Id, "Longer opening hours on Sunday");

        await using var hub = await author.ConnectAsync();
        // A hub call is served only after OnConnectedAsync has run, so the member group is joined once it returns.
        await hub.InvokeAsync("UnwatchTrail");
        var heard = new TaskCompletionSource<TrailEntryDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        var actions = new System.Collections.Concurrent.ConcurrentQueue<string>();
        hub.OnEntry(e =>
        {
            actions.Enqueue(e.Action);
            if (e.Action == "proposal.executed" && e.ProposalId == proposal.Id) heard.TrySetResult(e);
        });
        await using var otherHub = await other.ConnectAsync();
        var otherHeard = 0;
        otherHub.OnEntry(_ => Interlocked.Increment(ref otherHeard));

        Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(proposal.Id)).StatusCode);
        var entry = await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(author.Member.Id, entry.Proposal?.Author.Id);
        Assert.Equal("executed", entry.Proposal?.Status);
        // The member group hears the deciding commit whole: the approval and the execution it caused.
        Assert.Equal(["approval.added", "proposal.executed"], actions);
        Assert.Equal(0, Volatile.Read(ref otherHeard));

        // The demo data may hold earlier executions of this author's; the newest comes first.
        var feed = (await author.Client.GetFromJsonAsync<List<NotificationDto>>("/api/me/notifications", BoardApp.Json))!;
        var note = feed[0];
        Assert.Equal(proposal.Id, note.ProposalId);
        Assert.Single(feed, n => n.ProposalId == proposal.Id);
        Assert.Equal("Longer opening hours on Sunday", note.Title);
        Assert.Equal(board.Name, note.BoardName);
        Assert.Equal(entry.Seq, note.Seq);
        Assert.DoesNotContain((await other.Client.GetFromJsonAsync<List<NotificationDto>>("/api/me/notifications", BoardApp.Json))!, n => n.ProposalId == proposal.Id);
        Assert.Empty((await author.Client.GetFromJsonAsync<List<NotificationDto>>($"/api/me/notifications?after={note.Seq}", BoardApp.Json))!);
    }

    private static Task<HttpResponseMessage> CompleteAsync(Session who, Guid proposalId, string note) =>
        who.Client.PostAsJsonAsync($"/api/proposals/{proposalId}/complete", new { note });
}
