using Board.Web.Realtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Realtime;

/// <summary>
/// The app whose hub messages pass a switch that can drop the commits of one proposal on their way to every
/// watcher, as a backplane that lost them would; other instances' commits are never polled, so nothing else repairs them.
/// </summary>
public sealed class DroppingApp : BrowserApp
{
    public CommitDrop Drop { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:HeadSeconds"] = "2",
        ["Realtime:PollMilliseconds"] = "600000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<HubLifetimeManager<BoardHub>>(sp =>
            new DroppingLifetimeManager(ActivatorUtilities.CreateInstance<DefaultHubLifetimeManager<BoardHub>>(sp), Drop)));
    }
}

public sealed class CommitDrop
{
    private int _dropped;
    public volatile string? ProposalTitle;
    public int Dropped => Volatile.Read(ref _dropped);

    public bool Drops(string method, object?[] args)
    {
        if (method != "commit" || ProposalTitle is not { } title || args is not [CommitDto commit] || commit.Proposal?.Title != title) return false;
        Interlocked.Increment(ref _dropped);
        return true;
    }
}

/// <summary>The default lifetime manager, but a group message the switch names never arrives.</summary>
file sealed class DroppingLifetimeManager(HubLifetimeManager<BoardHub> inner, CommitDrop drop) : HubLifetimeManager<BoardHub>
{
    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        drop.Drops(methodName, args) ? Task.CompletedTask : inner.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task OnConnectedAsync(HubConnectionContext connection) => inner.OnConnectedAsync(connection);
    public override Task OnDisconnectedAsync(HubConnectionContext connection) => inner.OnDisconnectedAsync(connection);
    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) => inner.SendAllAsync(methodName, args, cancellationToken);
    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);
    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);
    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);
    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);
    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);
    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendUserAsync(userId, methodName, args, cancellationToken);
    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendUsersAsync(userIds, methodName, args, cancellationToken);
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        inner.AddToGroupAsync(connectionId, groupName, cancellationToken);
    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);
    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) => inner.SetConnectionResultAsync(connectionId, result);
    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) => inner.TryGetReturnType(invocationId, out type);
}

[Trait("Kind", "Browser")]
public sealed class DroppedCommitTests(DroppingApp app) : IClassFixture<DroppingApp>
{
    [Fact]
    public async Task ACommitTheBackplaneDropped_ReachesTheOpenBoardWithinTheHeadInterval_WithoutAReload()
    {
        var board = await app.FirstBoardAsync();
        var title = $"Label the returns shelf ({Guid.NewGuid():N})"[..48];
        using var staff = await app.SignInAsync("staff1");
        var proposal = await staff.PostAsync(board.Id, title);

        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, "dropped-commit");
        await screen.SignInAsync("manager");
        await screen.WaitConnectedAsync();
        var card = screen.Page.Locator($"#group-open .proposal-card[data-id='{proposal.Id}']");
        await Expect(card.Locator(".progress-text")).ToHaveTextAsync("0 of 3 approvals");
        await screen.Page.EvaluateAsync("() => { window.loaded = true; }");

        await app.ApproveAsAsync(proposal.Id, "ops1");
        await Expect(card.Locator(".progress-text")).ToHaveTextAsync("1 of 3 approvals");

        // The second approval's commit never reaches the page, and no later commit of the board reveals the gap.
        app.Drop.ProposalTitle = title;
        await app.ApproveAsAsync(proposal.Id, "ops2");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (app.Drop.Dropped == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(app.Drop.Dropped > 0, "the commit was not dropped");

        // Within the head interval (2 s here, 15 s by default) the page fetched what it missed.
        await Expect(card.Locator(".progress-text")).ToHaveTextAsync("2 of 3 approvals", new() { Timeout = 15_000 });
        Assert.True(await screen.Page.EvaluateAsync<bool>("() => window.loaded === true"), "the page reloaded");
        Assert.Empty(screen.Errors);
        app.Drop.ProposalTitle = null;
    }
}
