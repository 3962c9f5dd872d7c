using Board.Domain.Trail;
using Board.Web.Hosting;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Trail;

/// <summary>A kept checkpoint as the API lists it and webhooks receive it: its size and the signed note.</summary>
public sealed record CheckpointDto(long Size, string Checkpoint, DateTimeOffset CreatedAt)
{
    public static CheckpointDto From(TrailCheckpoint c) => new(c.Size, c.Text, c.CreatedAt);
}

/// <summary>
/// A feature that sends checkpoints on (the webhooks subscribed to <c>trail.checkpoint</c>): the rows it adds in
/// <see cref="CheckpointingAsync"/> commit with the checkpoint or not at all; <see cref="Checkpointed"/> runs after.
/// </summary>
public interface ICheckpointObserver
{
    /// <returns>Whether it queued anything to send.</returns>
    Task<bool> CheckpointingAsync(BoardDb db, TrailCheckpoint checkpoint, CancellationToken ct);

    void Checkpointed();
}

/// <summary>
/// Makes a signed checkpoint at most every <c>Trail:CheckpointSeconds</c> when the tree has grown, keeps it and queues
/// it for whoever sends it on (<see cref="ICheckpointObserver"/>), in one write transaction. Safe with several instances:
/// the write lock serializes them, each looks at the latest checkpoint under it, and the tree size is unique.
/// </summary>
public sealed class CheckpointWriter(
    IServiceScopeFactory scopes, TrailKey key, TrailTree tree, IEnumerable<ICheckpointObserver> observers, TimeProvider clock,
    IOptions<TrailSettings> settings, ILogger<CheckpointWriter> log) : BackgroundService
{
    private TimeSpan Interval => TimeSpan.FromSeconds(settings.Value.CheckpointSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await MakeAsync(force: false, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "No checkpoint this time: {Reason}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// Makes one now if the trail has grown since the latest and (unless <paramref name="force"/>) the latest is at least
    /// the interval old. Returns it, or null when none was due.
    /// </summary>
    public async Task<TrailCheckpoint?> MakeAsync(bool force, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        await db.BeginWriteAsync(ct);
        var latest = await db.Set<TrailCheckpoint>().AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        var head = await db.Trail.MaxAsync(e => (long?)e.Seq, ct) ?? 0;
        if (head == 0 || latest is not null && (latest.Size >= head || !force && now < latest.CreatedAt + Interval))
        {
            db.AbandonWrite();
            return null;
        }
        var builder = await tree.BuilderAtAsync(db, head, ct);
        var text = key.Sign(new Checkpoint(key.Name, head, builder.Root()).Body());
        var checkpoint = TrailCheckpoint.Of(head, text, now);
        db.Add(checkpoint);
        var queued = new List<ICheckpointObserver>();
        foreach (var observer in observers)
            if (await observer.CheckpointingAsync(db, checkpoint, ct)) queued.Add(observer);
        await db.CommitAsync(ct);
        foreach (var observer in queued) observer.Checkpointed();
        log.LogInformation("Signed checkpoint at tree size {Size}", head);
        return checkpoint;
    }
}
