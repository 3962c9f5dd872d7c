using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Telemetry;
using Board.Web.Trail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Board.Web.Webhooks;

/// <summary>
/// Delivers the outbox. Every instance runs one; a delivery is claimed with a conditional UPDATE on its lease,
/// so the database — not a lock in this process — decides who sends it. All state is in the rows: after a
/// restart or a kill, pending deliveries are found again and an abandoned lease simply runs out.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory httpClients, WebhookSignal signal, WebhookSecrets secrets, TimeProvider clock,
    IOptions<WebhookOptions> options, IOptions<HttpJsonOptions> json, BoardMetrics metrics, ILogger<WebhookDispatcher> log) : BackgroundService
{
    private readonly WebhookOptions _options = options.Value;

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        OutboxLoop.RunAsync<Claim>(ClaimAsync, DeliverAsync, signal, TimeSpan.FromMilliseconds(Math.Max(10, _options.PollMilliseconds)),
            Math.Max(1, _options.Concurrency), log, "webhook deliveries", stoppingToken);

    private sealed record Claim(Guid DeliveryId, Guid LeaseId);

    /// <summary>Takes up to <paramref name="max"/> due deliveries. Each is claimed by a single conditional UPDATE; a row another worker claimed first is skipped.</summary>
    private async Task<List<Claim>> ClaimAsync(int max, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        var now = clock.GetUtcNow();
        var due = await db.Deliveries.AsNoTracking()
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
            .OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(max).ToListAsync(ct);
        var claims = new List<Claim>(due.Count);
        var leaseUntil = now.AddSeconds(_options.LeaseSeconds);
        foreach (var id in due)
        {
            var leaseId = Guid.NewGuid();
            var won = await db.Deliveries
                .Where(d => d.Id == id && d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, leaseUntil).SetProperty(d => d.LeaseId, leaseId), ct);
            if (won == 1) claims.Add(new Claim(id, leaseId));
        }
        return claims;
    }

    private async Task DeliverAsync(Claim claim, CancellationToken ct)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var delivery = await db.Deliveries.AsNoTracking().FirstAsync(d => d.Id == claim.DeliveryId, ct);
            var webhook = await db.Webhooks.AsNoTracking().FirstAsync(w => w.Id == delivery.WebhookId, ct);
            var owned = db.Deliveries.Where(d => d.Id == claim.DeliveryId && d.LeaseId == claim.LeaseId);
            if (!webhook.IsActive)
            {
                await owned.ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Cancelled)
                    .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null).SetProperty(d => d.LeaseId, (Guid?)null), CancellationToken.None);
                return;
            }
            // The entry (or checkpoint) is immutable, so every attempt sends the same bytes under the same signature.
            byte[] body;
            if (delivery.Action == Checkpoint.Event)
            {
                var checkpoint = await db.Set<TrailCheckpoint>().AsNoTracking().FirstAsync(c => c.Size == delivery.Seq, ct);
                body = JsonSerializer.SerializeToUtf8Bytes(CheckpointDto.From(checkpoint), json.Value.SerializerOptions);
            }
            else
            {
                var entry = await db.Trail.AsNoTracking().FirstAsync(e => e.Seq == delivery.Seq, ct);
                body = JsonSerializer.SerializeToUtf8Bytes(TrailEntryDto.From(entry), json.Value.SerializerOptions);
            }

            var at = clock.GetUtcNow();
            var started = clock.GetTimestamp();
            var (status, error) = await SendAsync(webhook, delivery, body, ct);
            var attempt = WebhookAttempt.Record(delivery.Id, delivery.Attempts + 1, at, status, error, clock.GetElapsedTime(started));
            await RecordAsync(db, owned, delivery, attempt);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await ReleaseAsync(claim);
        }
        catch (Exception ex)
        {
            // The lease runs out and the delivery is tried again.
            log.LogError(ex, "Webhook delivery {DeliveryId} failed unexpectedly", claim.DeliveryId);
        }
    }

    /// <summary>Shutting down mid-attempt: hands the delivery back at once rather than leaving it until the lease runs out.</summary>
    private async Task ReleaseAsync(Claim claim)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            await db.Deliveries.Where(d => d.Id == claim.DeliveryId && d.LeaseId == claim.LeaseId)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null).SetProperty(d => d.LeaseId, (Guid?)null));
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Could not release webhook delivery {DeliveryId}; its lease will run out", claim.DeliveryId);
        }
    }

    /// <returns>The status code, or why there is none.</returns>
    private async Task<(int? Status, string? Error)> SendAsync(Webhook webhook, WebhookDelivery delivery, byte[] body, CancellationToken ct)
    {
        // Never sent unsigned: a secret no key of the ring reads (a database started without its certificate) is a failed attempt.
        if (secrets.TryReveal(webhook.Secret) is not { } secret)
            return (null, $"The webhook's secret cannot be read: the key that protected it is not available (see {Keys.DataProtectionCertificate.Setting}). Set a new secret.");
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Board-Event", delivery.Action);
        request.Headers.Add("X-Board-Delivery", delivery.Id.ToString());
        request.Headers.Add("X-Board-Signature", Sign(secret, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await httpClients.CreateClient(WebhookOptions.HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return (code, response.IsSuccessStatusCode ? null : $"HTTP {code} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"Timed out after {_options.TimeoutSeconds:0.#} s");
        }
        catch (HttpRequestException ex) when (ex.InnerException is BlockedAddressException)
        {
            // Nothing about what the address was or what answered there: the log is not a port scanner.
            return (null, BlockedAddressException.LogText);
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }
    }

    /// <summary>Logs the attempt and moves the delivery on — only if this worker still owns it.</summary>
    private async Task RecordAsync(BoardDb db, IQueryable<WebhookDelivery> owned, WebhookDelivery delivery, WebhookAttempt attempt)
    {
        var now = clock.GetUtcNow();
        await db.BeginWriteAsync(CancellationToken.None);
        db.DeliveryAttempts.Add(attempt);
        await db.SaveChangesAsync(CancellationToken.None);
        int updated;
        var givesUp = false;
        if (attempt.Succeeded)
        {
            updated = await owned.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, DeliveryStatus.Delivered)
                .SetProperty(d => d.DeliveredAt, now)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
                .SetProperty(d => d.LastError, (string?)null)
                .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(d => d.LeaseId, (Guid?)null), CancellationToken.None);
        }
        else
        {
            var next = now + _options.Backoff(attempt.Number, Random.Shared.NextDouble());
            givesUp = next > delivery.WindowStart.AddHours(_options.GiveUpAfterHours);
            updated = await owned.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, givesUp ? DeliveryStatus.Failed : DeliveryStatus.Pending)
                .SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
                .SetProperty(d => d.LastError, attempt.Error)
                .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(d => d.LeaseId, (Guid?)null), CancellationToken.None);
            if (givesUp && updated == 1)
                log.LogWarning("Webhook delivery {DeliveryId} failed for good after {Attempts} attempts", delivery.Id, attempt.Number);
        }
        await db.CommitAsync(CancellationToken.None);
        if (updated == 1 && attempt.Succeeded) metrics.WebhookDelivered();
        else if (updated == 1) metrics.WebhookFailed(givesUp);
        if (updated == 0)
            log.LogInformation("Webhook delivery {DeliveryId}: lease lost (redelivered or expired); attempt logged only", delivery.Id);
    }
}
