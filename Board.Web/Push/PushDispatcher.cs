using System.Net;
using System.Text.Json;
using Board.Domain.Proposals;
using Board.Web.Persistence;
using Board.Web.Webhooks;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WebPushSubscription = Lib.Net.Http.WebPush.PushSubscription;

namespace Board.Web.Push;

/// <summary>
/// Sends the push outbox, as <see cref="WebhookDispatcher"/> sends webhooks: every instance runs one, a notice is
/// claimed by a conditional UPDATE on its lease, failures wait with exponential backoff. A waiting notice takes every
/// other waiting notice of its device along (one notification for proposals that arrived together). A device whose
/// push service answers 404 or 410 has unsubscribed: it is removed with its notices.
/// </summary>
public sealed class PushDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory httpClients, PushSignal signal, VapidKeys keys, TimeProvider clock,
    IOptions<PushOptions> options, ILogger<PushDispatcher> log) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly PushOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        OutboxLoop.RunAsync<Claim>(ClaimAsync, SendAsync, signal, TimeSpan.FromMilliseconds(Math.Max(10, _options.PollMilliseconds)),
            _options.Concurrency, log, "push notices", stoppingToken);

    private sealed record Claim(Guid DeviceId, Guid LeaseId);

    /// <summary>Claims up to <paramref name="max"/> due notices, each with the waiting notices of its device that can go with it.</summary>
    private async Task<List<Claim>> ClaimAsync(int max, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        var notices = db.Set<PushNotice>();
        var now = clock.GetUtcNow();
        var due = await notices.AsNoTracking()
            .Where(n => n.Status == DeliveryStatus.Pending && n.NextAttemptAt <= now && (n.LeaseUntil == null || n.LeaseUntil < now))
            .OrderBy(n => n.NextAttemptAt).Select(n => new { n.Id, n.DeviceId, n.Kind }).Take(max).ToListAsync(ct);
        var claims = new List<Claim>(due.Count);
        var leaseUntil = now.AddSeconds(_options.LeaseSeconds);
        foreach (var notice in due)
        {
            var leaseId = Guid.NewGuid();
            var won = await notices
                .Where(n => n.Id == notice.Id && n.Status == DeliveryStatus.Pending && n.NextAttemptAt <= now && (n.LeaseUntil == null || n.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.LeaseUntil, leaseUntil).SetProperty(n => n.LeaseId, leaseId), ct);
            if (won != 1) continue;
            if (notice.Kind == PushKind.Waiting)
            {
                // Not yet due is fine: those are the ones still waiting to be bundled.
                await notices.Where(n => n.DeviceId == notice.DeviceId && n.Kind == PushKind.Waiting && n.Status == DeliveryStatus.Pending
                        && (n.LeaseUntil == null || n.LeaseUntil < now))
                    .ExecuteUpdateAsync(s => s.SetProperty(n => n.LeaseUntil, leaseUntil).SetProperty(n => n.LeaseId, leaseId), ct);
            }
            claims.Add(new Claim(notice.DeviceId, leaseId));
        }
        return claims;
    }

    private async Task SendAsync(Claim claim, CancellationToken ct)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var owned = db.Set<PushNotice>().Where(n => n.LeaseId == claim.LeaseId);
            var batch = await owned.AsNoTracking().ToListAsync(ct);
            var device = await db.Set<PushDevice>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == claim.DeviceId, ct);
            if (batch.Count == 0 || device is null) return;
            if (await PayloadAsync(db, device, batch, ct) is not { } payload)
            {
                await Finish(owned, DeliveryStatus.Cancelled, null, null);
                return;
            }
            var (status, error) = await DeliverAsync(device, payload, ct);
            await RecordAsync(db, owned, device, batch, status, error);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await ReleaseAsync(claim);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Push to device {DeviceId} failed unexpectedly; its lease will run out", claim.DeviceId);
        }
    }

    /// <summary>What to say, or null when nothing is left to say (every waiting proposal has moved on meanwhile).</summary>
    private static async Task<PushTexts.Payload?> PayloadAsync(BoardDb db, PushDevice device, List<PushNotice> batch, CancellationToken ct)
    {
        var ids = batch.Select(n => n.ProposalId).Distinct().ToList();
        var proposals = await db.Proposals.AsNoTracking().Where(p => ids.Contains(p.Id))
            .Select(p => new { p.Id, p.Title, p.Status, p.PostedAt }).ToDictionaryAsync(p => p.Id, ct);
        var first = batch[0];
        if (first.Kind != PushKind.Waiting)
        {
            return proposals.TryGetValue(first.ProposalId, out var p)
                ? first.Kind == PushKind.Executed ? PushTexts.Executed(device.Language, p.Id, p.Title) : PushTexts.Done(device.Language, p.Id, p.Title)
                : null;
        }
        var open = proposals.Values.Where(p => p.Status == ProposalStatus.Open).OrderBy(p => p.PostedAt).Select(p => (p.Id, p.Title)).ToList();
        return open.Count == 0 ? null : PushTexts.Waiting(device.Language, open);
    }

    /// <returns>The push service's status code, or why there is none.</returns>
    private async Task<(int? Status, string? Error)> DeliverAsync(PushDevice device, PushTexts.Payload payload, CancellationToken ct)
    {
        var client = new PushServiceClient(httpClients.CreateClient(PushOptions.HttpClientName))
        {
            // Retries are ours, from the outbox; the client would wait inside the attempt.
            AutoRetryAfter = false,
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
        };
        var subscription = new WebPushSubscription
        {
            Endpoint = device.Endpoint,
            Keys = new Dictionary<string, string> { ["p256dh"] = device.P256dh, ["auth"] = device.Auth },
        };
        var message = new PushMessage(JsonSerializer.Serialize(payload, Json))
        {
            TimeToLive = _options.TimeToLiveSeconds,
            Urgency = PushMessageUrgency.Normal,
        };
        using var vapid = new VapidAuthentication(keys.PublicKey, keys.PrivateKey) { Subject = _options.Subject };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            await client.RequestPushMessageDeliveryAsync(subscription, message, vapid, timeout.Token);
            return (201, null);
        }
        catch (PushServiceClientException ex)
        {
            var code = (int)ex.StatusCode;
            return (code, code is >= 200 and < 300 ? null : $"HTTP {code}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"Timed out after {_options.TimeoutSeconds:0.#} s");
        }
        catch (HttpRequestException ex) when (ex.InnerException is BlockedAddressException)
        {
            return (null, BlockedAddressException.LogText);
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }
    }

    private async Task RecordAsync(BoardDb db, IQueryable<PushNotice> owned, PushDevice device, List<PushNotice> batch, int? status, string? error)
    {
        if (status is >= 200 and < 300)
        {
            await Finish(owned, DeliveryStatus.Delivered, status, null, clock.GetUtcNow());
            return;
        }
        if (status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.Gone)
        {
            // The subscription is gone for good (RFC 8030, section 7.3): its notices go with it.
            await db.Set<PushDevice>().Where(d => d.Id == device.Id).ExecuteDeleteAsync(CancellationToken.None);
            log.LogInformation("Push device {DeviceId} removed: its push service answered {Status}", device.Id, status);
            return;
        }
        var now = clock.GetUtcNow();
        var attempts = batch.Max(n => n.Attempts) + 1;
        var next = now + _options.Backoff(attempts, Random.Shared.NextDouble());
        var givesUp = next > batch.Min(n => n.WindowStart).AddHours(_options.GiveUpAfterHours);
        await owned.ExecuteUpdateAsync(s => s
            .SetProperty(n => n.Status, givesUp ? DeliveryStatus.Failed : DeliveryStatus.Pending)
            .SetProperty(n => n.NextAttemptAt, next)
            .SetProperty(n => n.Attempts, n => n.Attempts + 1)
            .SetProperty(n => n.LastStatusCode, status)
            .SetProperty(n => n.LastError, error == null ? null : error.Length > WebhookAttempt.ErrorMax ? error.Substring(0, WebhookAttempt.ErrorMax) : error)
            .SetProperty(n => n.LeaseUntil, (DateTimeOffset?)null)
            .SetProperty(n => n.LeaseId, (Guid?)null), CancellationToken.None);
        if (givesUp) log.LogWarning("Push to device {DeviceId} failed for good after {Attempts} attempts", device.Id, attempts);
    }

    private static Task Finish(IQueryable<PushNotice> owned, DeliveryStatus status, int? code, string? error, DateTimeOffset? sentAt = null) =>
        owned.ExecuteUpdateAsync(s => s
            .SetProperty(n => n.Status, status)
            .SetProperty(n => n.SentAt, sentAt)
            .SetProperty(n => n.Attempts, n => n.Attempts + (code == null ? 0 : 1))
            .SetProperty(n => n.LastStatusCode, code)
            .SetProperty(n => n.LastError, error)
            .SetProperty(n => n.LeaseUntil, (DateTimeOffset?)null)
            .SetProperty(n => n.LeaseId, (Guid?)null), CancellationToken.None);

    private async Task ReleaseAsync(Claim claim)
    {
        try
        {
            using var scope = scopes.CreateScope();
            await scope.ServiceProvider.GetRequiredService<BoardDb>().Set<PushNotice>().Where(n => n.LeaseId == claim.LeaseId)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.LeaseUntil, (DateTimeOffset?)null).SetProperty(n => n.LeaseId, (Guid?)null));
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Could not release push notices of device {DeviceId}; their lease will run out", claim.DeviceId);
        }
    }
}
