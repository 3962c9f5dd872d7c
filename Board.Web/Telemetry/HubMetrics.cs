using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Board.Web.Telemetry;

/// <summary>Counts hub connections up and down from outside the hub; a connection the hub turned away is never counted.</summary>
/// <remarks>
/// The counted connections are kept here, by id, rather than marked in <see cref="HubCallerContext.Items"/>: the first
/// use of a connection's Items creates a dictionary of its own (~0.5 KiB), and every idle watcher would carry one.
/// </remarks>
public sealed class HubMetrics(BoardMetrics metrics) : IHubFilter
{
    private readonly ConcurrentDictionary<string, byte> _counted = new();

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        if (context.Context.ConnectionAborted.IsCancellationRequested || !_counted.TryAdd(context.Context.ConnectionId, 0)) return;
        metrics.HubConnected();
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            if (_counted.TryRemove(context.Context.ConnectionId, out _)) metrics.HubDisconnected();
        }
    }

    /// <summary>How many connections are counted as open now.</summary>
    public int Counted => _counted.Count;
}
