using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Realtime;

public sealed class TwoConnectionsApp : BoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Realtime:ConnectionsPerMember"] = "2" };
}

/// <summary>A member holds at most <c>Realtime:ConnectionsPerMember</c> hub connections; one closed frees a place.</summary>
[Trait("Kind", "Api")]
public sealed class ConnectionLimitTests(TwoConnectionsApp app) : IClassFixture<TwoConnectionsApp>
{
    [Fact]
    public async Task AMemberBeyondTheCap_IsRefused_OthersAreNot_AndAClosedConnectionFreesAPlace()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        await using var first = await staff.ConnectAsync();
        await using var second = await staff.ConnectAsync();
        await first.InvokeAsync("Watch", board.Id);
        await second.InvokeAsync("Watch", board.Id);

        Assert.False(await staff.CanWatchAsync(board.Id), "a third connection of one member was served");

        using var other = await app.SignInAsync("staff2");
        Assert.True(await other.CanWatchAsync(board.Id), "another member was refused");

        await first.StopAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var usable = false;
        while (!usable && DateTime.UtcNow < deadline) usable = await staff.CanWatchAsync(board.Id);
        Assert.True(usable, "closing a connection did not free a place");
    }
}
