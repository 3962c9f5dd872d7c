using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Webhooks;

/// <summary>Queues each new signed checkpoint for the webhooks that named <c>trail.checkpoint</c>, with the checkpoint itself.</summary>
public sealed class WebhookCheckpoints(WebhookSignal signal) : ICheckpointObserver
{
    public async Task<bool> CheckpointingAsync(BoardDb db, TrailCheckpoint checkpoint, CancellationToken ct)
    {
        var subscribed = (await db.Webhooks.Where(w => w.DeletedAt == null).ToListAsync(ct)).Where(w => w.WantsCheckpoints).ToList();
        foreach (var webhook in subscribed) db.Deliveries.Add(WebhookDelivery.For(webhook, checkpoint.Size, Checkpoint.Event, checkpoint.CreatedAt));
        return subscribed.Count > 0;
    }

    public void Checkpointed() => signal.Notify();
}
