using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Board.Domain;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Webhooks;

public static class WebhooksEndpoints
{
    public const int PageSize = 50;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var boards = app.MapGroup("/api/boards/{boardId:guid}/webhooks").WithTags("Webhooks").RequireAuthorization().RequireMemberRole(Roles.Admin);
        boards.MapGet("/", List).WithName("listWebhooks").WithSummary("List a board's webhooks");
        boards.MapPost("/", Create).WithName("createWebhook").WithSummary("Create a webhook on a board");

        var webhooks = app.MapGroup("/api/webhooks/{id:guid}").WithTags("Webhooks").RequireAuthorization().RequireMemberRole(Roles.Admin);
        webhooks.MapGet("/", Get).WithName("getWebhook").WithSummary("Get a webhook");
        webhooks.MapDelete("/", Delete).WithName("deleteWebhook").WithSummary("Delete a webhook");
        webhooks.MapGet("/deliveries", Deliveries).WithName("listDeliveries").WithSummary("List a webhook's deliveries and their attempts");

        app.MapPost("/api/deliveries/{id:guid}/redeliver", Redeliver).WithName("redeliver").WithSummary("Deliver a webhook delivery again").WithTags("Webhooks").RequireAuthorization().RequireMemberRole(Roles.Admin);
        return app;
    }

    static async Task<Results<Ok<List<WebhookDto>>, NotFound>> List(Guid boardId, bool? includeDeleted, BoardDb db, CancellationToken ct)
    {
        if (!await db.Boards.AnyAsync(b => b.Id == boardId, ct)) return TypedResults.NotFound();
        var query = db.Webhooks.AsNoTracking().Where(w => w.BoardId == boardId);
        if (includeDeleted != true) query = query.Where(w => w.DeletedAt == null);
        var webhooks = await query.OrderBy(w => w.CreatedAt).ToListAsync(ct);
        var counts = await CountsAsync(db, [.. webhooks.Select(w => w.Id)], ct);
        return TypedResults.Ok(webhooks.Select(w => WebhookDto.From(w, counts(w.Id))).ToList());
    }

    static async Task<Results<Created<CreatedWebhookDto>, NotFound>> Create(
        Guid boardId, CreateWebhookRequest request, CurrentMember me, BoardDb db, WebhookSecrets secrets, IOptions<WebhookOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var secret = request.Secret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var webhook = Webhook.Create(boardId, request.Url, secret, request.Actions, me.Member.Id, now, secrets);
        // What can be told without DNS is refused now; a name that resolves inward is refused when it is connected to.
        if (!options.Value.AllowPrivateNetworks && AddressGuard.IsPlainlyInternal(new Uri(webhook.Url)))
            throw Refusal.Invalid("url", "The URL points at a loopback, private or otherwise internal address; webhooks go to public addresses only.");
        await db.BeginWriteAsync(ct);
        if (!await db.Boards.AnyAsync(b => b.Id == boardId, ct)) return TypedResults.NotFound();
        db.Webhooks.Add(webhook);
        db.Record(new TrailFact(TrailActions.WebhookCreated, me.Member.AsActor(), now, boardId, null, Describe(webhook)));
        await db.CommitAsync(ct);
        return TypedResults.Created($"/api/webhooks/{webhook.Id}",
            new CreatedWebhookDto(webhook.Id, webhook.BoardId, webhook.Url, webhook.Actions, webhook.CreatedAt, secret));
    }

    static async Task<Results<Ok<WebhookDto>, NotFound>> Get(Guid id, BoardDb db, CancellationToken ct)
    {
        if (await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct) is not { } webhook) return TypedResults.NotFound();
        var counts = await CountsAsync(db, [id], ct);
        return TypedResults.Ok(WebhookDto.From(webhook, counts(id)));
    }

    /// <summary>Stops deliveries (pending ones are cancelled); the webhook and its log stay readable.</summary>
    static async Task<Results<NoContent, NotFound>> Delete(Guid id, CurrentMember me, BoardDb db, TimeProvider clock, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        if (await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id && w.DeletedAt == null, ct) is not { } webhook) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        webhook.Delete(now);
        await db.Deliveries.Where(d => d.WebhookId == id && d.Status == DeliveryStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Cancelled), ct);
        db.Record(new TrailFact(TrailActions.WebhookDeleted, me.Member.AsActor(), now, webhook.BoardId, null, Describe(webhook)));
        await db.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Newest entry first; <paramref name="before"/> (a seq, the <c>next</c> of the previous page) pages on.</summary>
    static async Task<Results<Ok<DeliveryPage>, NotFound>> Deliveries(Guid id, string? status, long? before, int? limit, BoardDb db, CancellationToken ct)
    {
        if (!await db.Webhooks.AnyAsync(w => w.Id == id, ct)) return TypedResults.NotFound();
        var query = db.Deliveries.AsNoTracking().Where(d => d.WebhookId == id);
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<DeliveryStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
                throw Refusal.Invalid("status", "Unknown status. Use pending, delivered, failed or cancelled.");
            query = query.Where(d => d.Status == parsed);
        }
        if (before is { } b) query = query.Where(d => d.Seq < b);
        var take = Math.Clamp(limit ?? PageSize, 1, 200);
        var items = await query.OrderByDescending(d => d.Seq).Take(take).Include(d => d.AttemptLog).AsSplitQuery().ToListAsync(ct);
        return TypedResults.Ok(new DeliveryPage([.. items.Select(DeliveryDto.From)], items.Count == take ? items[^1].Seq : null));
    }

    /// <summary>Queues the delivery again now, under the same delivery id, with a fresh retry window.</summary>
    static async Task<Results<Accepted<DeliveryDto>, NotFound>> Redeliver(
        Guid id, BoardDb db, WebhookSignal signal, TimeProvider clock, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        if (await db.Deliveries.Include(d => d.AttemptLog).FirstOrDefaultAsync(d => d.Id == id, ct) is not { } delivery) return TypedResults.NotFound();
        if (!await db.Webhooks.AnyAsync(w => w.Id == delivery.WebhookId && w.DeletedAt == null, ct))
            throw new Refusal(RefusalCode.Conflict, "The webhook was deleted; its deliveries cannot be sent again.");
        delivery.Redeliver(clock.GetUtcNow());
        await db.CommitAsync(ct);
        signal.Notify();
        return TypedResults.Accepted($"/api/webhooks/{delivery.WebhookId}/deliveries", DeliveryDto.From(delivery));
    }

    private static JsonObject Describe(Webhook w) => new()
    {
        ["webhookId"] = w.Id.ToString(),
        // The origin only: a path or query may itself be a credential (many receivers put their token there), and the trail is open to every member.
        ["origin"] = new Uri(w.Url).GetLeftPart(UriPartial.Authority),
        ["actions"] = new JsonArray([.. w.Actions.Select(a => (JsonNode)a)]),
    };

    private static async Task<Func<Guid, DeliveryCountsDto>> CountsAsync(BoardDb db, List<Guid> ids, CancellationToken ct)
    {
        var rows = await db.Deliveries.AsNoTracking().Where(d => ids.Contains(d.WebhookId))
            .GroupBy(d => new { d.WebhookId, d.Status }).Select(g => new { g.Key.WebhookId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var map = rows.ToDictionary(r => (r.WebhookId, r.Status), r => r.Count);
        return id => new DeliveryCountsDto(
            map.GetValueOrDefault((id, DeliveryStatus.Pending)), map.GetValueOrDefault((id, DeliveryStatus.Delivered)),
            map.GetValueOrDefault((id, DeliveryStatus.Failed)), map.GetValueOrDefault((id, DeliveryStatus.Cancelled)));
    }
}
