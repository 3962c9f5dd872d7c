using Microsoft.AspNetCore.SignalR;

namespace Board.Web.Telemetry;

/// <summary>Counts hub connections up and down from outside the hub; a connection the hub turned away is never counted.</summary>
public sealed class HubMetrics(BoardMetrics metrics) : IHubFilter
{
    private const string Counted = "board.metrics.counted";

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        if (context.Context.ConnectionAborted.IsCancellationRequested) return;
        context.Context.Items[Counted] = true;
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
            if (context.Context.Items.Remove(Counted)) metrics.HubDisconnected();
        }
    }
}
