using System.Threading.Channels;
using Board.Domain.Trail;

namespace Board.Web.Realtime;

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

/// <summary>
/// This instance's commits, handed from the committing request to the broadcaster as they commit: the entries
/// written and the aggregates they came from, whose state the request has just built its reply from.
/// </summary>
public sealed class TrailSignal
{
    private readonly Channel<LocalCommit> _commits = Channel.CreateUnbounded<LocalCommit>(new UnboundedChannelOptions { SingleReader = true });

    public void Committed(IReadOnlyList<AuditEntry> entries, IEnumerable<object> changed) =>
        _commits.Writer.TryWrite(new LocalCommit(entries, [.. changed]));

    public ChannelReader<LocalCommit> Commits => _commits.Reader;
}

public sealed record LocalCommit(IReadOnlyList<AuditEntry> Entries, IReadOnlyList<object> Changed);
