using System.Diagnostics.Metrics;

namespace Board.Web.Telemetry;

/// <summary>
/// Board's own meter, <c>Board</c>: what the board decided and how it reached people. Facts are recorded where they
/// happen and only once they are true: decisions after their transaction commits (<see cref="CommitMetrics"/>),
/// refusals when they are answered, deliveries when their outcome is recorded.
/// </summary>
public sealed class BoardMetrics
{
    public const string MeterName = "Board";

    private readonly Counter<long> _approvals;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _executions;
    private readonly Histogram<double> _decisionDuration;
    private readonly UpDownCounter<long> _hubConnections;
    private readonly Counter<long> _commitsBroadcast;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _webhookFailures;
    public BoardMetrics(IMeterFactory meters, IEnumerable<IObservedMetric> observed)
    {
        var meter = meters.Create(MeterName);
        _approvals = meter.CreateCounter<long>("board.approvals", "{approval}", "Approvals given (committed).");
        _refusals = meter.CreateCounter<long>("board.refusals", "{refusal}", "Requests the rule or validation refused, by code.");
        _executions = meter.CreateCounter<long>("board.executions", "{proposal}", "Proposals executed (committed).");
        _decisionDuration = meter.CreateHistogram("board.decision.duration", "s", "From posting to execution, per executed proposal.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400] });
        _hubConnections = meter.CreateUpDownCounter<long>("board.hub.connections", "{connection}", "Open hub connections on this instance.");
        _commitsBroadcast = meter.CreateCounter<long>("board.commits.broadcast", "{commit}", "Committed changes pushed to watchers by this instance.");
        _webhookDeliveries = meter.CreateCounter<long>("board.webhook.deliveries", "{delivery}", "Webhook deliveries the receiver accepted (2xx).");
        _webhookFailures = meter.CreateCounter<long>("board.webhook.failures", "{attempt}", "Webhook attempts that failed; final=true when the delivery was given up.");
        foreach (var metric in observed) metric.Observe(meter);
    }

    public void Approved(int count) => _approvals.Add(count);

    public void Refused(string code) => _refusals.Add(1, new KeyValuePair<string, object?>("code", code));

    public void Executed(TimeSpan sincePosted)
    {
        _executions.Add(1);
        _decisionDuration.Record(Math.Max(0, sincePosted.TotalSeconds));
    }

    public void HubConnected() => _hubConnections.Add(1);

    public void HubDisconnected() => _hubConnections.Add(-1);

    public void CommitBroadcast() => _commitsBroadcast.Add(1);

    public void WebhookDelivered() => _webhookDeliveries.Add(1);

    public void WebhookFailed(bool final) => _webhookFailures.Add(1, new KeyValuePair<string, object?>("final", final));
}

/// <summary>A measurement read at each scrape, which the feature that owns the data adds to Board's meter.</summary>
public interface IObservedMetric
{
    void Observe(Meter meter);
}
