using System.Threading.Channels;

namespace Board.Web.Persistence;

/// <summary>
/// A wake-up for a background worker after this instance commits; work committed by other instances is
/// found by the worker's own polling, so a missed or coalesced signal only costs one poll interval.
/// </summary>
public abstract class CommitSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}
