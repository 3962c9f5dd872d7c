using Board.Domain.Proposals;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Expiry;

/// <summary>Expires open proposals past their deadline, each in its own transaction, on the injected clock.</summary>
public sealed class ExpirySweeper(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ExpirySettings> settings, ILogger<ExpirySweeper> log)
    : BackgroundService
{
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(settings.Value.IntervalSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogError(ex, "Expiry sweep failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many proposals expired.</returns>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<Guid> due;
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            due = await db.Proposals.AsNoTracking()
                .Where(p => p.Status == ProposalStatus.Open && p.ExpiresAt != null && p.ExpiresAt <= now)
                .Select(p => p.Id).ToListAsync(ct);
        }
        var expired = 0;
        foreach (var id in due)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            // Re-read under the write lock: an approval may have executed it since the query above.
            if (await db.FindForUpdateAsync(id, ct) is { } proposal && proposal.Expire(now))
            {
                await db.CommitAsync(ct);
                expired++;
            }
        }
        if (expired > 0) log.LogInformation("Expired {Count} proposals", expired);
        return expired;
    }
}
