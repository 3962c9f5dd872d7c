using Microsoft.AspNetCore.SignalR;
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

        Assert.False(await UsableAsync(staff), "a third connection of one member was served");

        using var other = await app.SignInAsync("staff2");
        Assert.True(await UsableAsync(other), "another member was refused");

        await first.StopAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var usable = false;
        while (!usable && DateTime.UtcNow < deadline) usable = await UsableAsync(staff);
        Assert.True(usable, "closing a connection did not free a place");
    }

    /// <summary>Whether a new connection of the session's member can start and watch a board.</summary>
    private async Task<bool> UsableAsync(Session session)
    {
        var board = await app.FirstBoardAsync();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, "/hubs/board"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(session.Token))
            .Build();
        try
        {
            await connection.StartAsync();
            await connection.InvokeAsync("Watch", board.Id).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or TaskCanceledException or TimeoutException or HttpRequestException or System.IO.IOException)
        {
            return false;
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
