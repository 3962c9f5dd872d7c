using System.Diagnostics.Metrics;
using Board.Web.Persistence;
using Board.Web.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Webhooks;

/// <summary><c>board.outbox.age</c>: age of the oldest webhook delivery not yet delivered (0 when none waits).</summary>
public sealed class OutboxAgeMetric(IServiceScopeFactory scopes, TimeProvider clock) : IObservedMetric
{
    public void Observe(Meter meter) =>
        meter.CreateObservableGauge("board.outbox.age", OutboxAge, "s", "Age of the oldest webhook delivery not yet delivered (0 when none waits).");

    /// <summary>Read at each scrape. A database that does not answer reports nothing rather than a wrong zero.</summary>
    private IEnumerable<Measurement<double>> OutboxAge()
    {
        DateTimeOffset? oldest;
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            oldest = db.Deliveries.AsNoTracking().Where(d => d.Status == DeliveryStatus.Pending)
                .OrderBy(d => d.CreatedAt).Select(d => (DateTimeOffset?)d.CreatedAt).FirstOrDefault();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
        {
            return [];
        }
        return [new(oldest is { } at ? Math.Max(0, (clock.GetUtcNow() - at).TotalSeconds) : 0)];
    }
}
