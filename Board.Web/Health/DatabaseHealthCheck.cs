using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Board.Web.Health;

/// <summary>Ready when the database answers a real query on the trail's head: an open connection alone proves too little.</summary>
public sealed class DatabaseHealthCheck(BoardDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        try
        {
            var head = await db.Trail.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => (long?)e.Seq).FirstOrDefaultAsync(ct);
            return HealthCheckResult.Healthy($"trail head {head ?? 0}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The database does not answer", ex);
        }
    }
}
