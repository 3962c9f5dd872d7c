using Board.Web.Persistence;

namespace Board.Web.Webhooks;

/// <summary>
/// The worker loop of an outbox (webhook deliveries, push notices): claim what is due, up to the free slots; send each
/// claim alongside the others; sleep until this instance commits more (<paramref name="signal"/>), a send finishes or
/// <paramref name="poll"/> passes. A failed claim is logged and tried again after <paramref name="poll"/>.
/// </summary>
public static class OutboxLoop
{
    public static async Task RunAsync<TClaim>(
        Func<int, CancellationToken, Task<List<TClaim>>> claim, Func<TClaim, CancellationToken, Task> send,
        CommitSignal signal, TimeSpan poll, int concurrency, ILogger log, string what, CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        Task? wake = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                var free = concurrency - running.Count;
                var claimed = free > 0 ? await claim(free, stoppingToken) : [];
                running.AddRange(claimed.Select(c => send(c, stoppingToken)));
                if (free > 0 && claimed.Count == free) continue;
                wake ??= signal.WaitAsync(poll, stoppingToken);
                await Task.WhenAny([.. running, wake]);
                if (wake.IsCompleted) wake = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Claiming {What} failed; retrying", what);
                try
                {
                    await Task.Delay(poll, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        await Task.WhenAll(running);
    }
}
