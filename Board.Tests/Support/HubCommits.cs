using Board.Web.Realtime;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests;

public static class HubCommits
{
    /// <summary>
    /// Every entry of every <c>commit</c> the hub sends, each with its commit's proposal state, for tests that
    /// look at entries one by one (the proposal of an entry is then the state after the commit it arrived in).
    /// </summary>
    public static IDisposable OnEntry(this HubConnection hub, Action<TrailEntryDto> handler) =>
        hub.On<CommitDto>("commit", c =>
        {
            foreach (var e in c.Entries) handler(e with { Proposal = c.Proposal });
        });
}
