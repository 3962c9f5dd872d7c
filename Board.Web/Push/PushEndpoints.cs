using Board.Domain;
using Board.Web.Auth;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Push;

/// <summary>The browser's <c>PushSubscription.toJSON()</c>, as the page sends it.</summary>
public sealed class SubscribeRequest
{
    public string? Endpoint { get; set; }
    public SubscriptionKeys? Keys { get; set; }
}

public sealed class SubscriptionKeys
{
    public string? P256dh { get; set; }
    public string? Auth { get; set; }
}

public sealed class UnsubscribeRequest
{
    public string? Endpoint { get; set; }
}

public sealed record PushKeyDto(string PublicKey);

public static class PushEndpoints
{
    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/push/key", Key).WithTags("Push").RequireAuthorization()
            .WithName("getPushKey").WithSummary("The VAPID public key (base64url P-256 point) a device subscribes with");
        var me = app.MapGroup("/api/me/push").WithTags("Push").RequireAuthorization();
        me.MapPost("/", Subscribe)
            .WithName("subscribePush").WithSummary("Subscribes this device to the member's notifications (again: renews its keys)");
        me.MapDelete("/", Unsubscribe)
            .WithName("unsubscribePush").WithSummary("Stops notifications to this device");
        return app;
    }

    static Ok<PushKeyDto> Key(VapidKeys keys) => TypedResults.Ok(new PushKeyDto(keys.PublicKey));

    static async Task<NoContent> Subscribe(
        SubscribeRequest request, HttpContext http, CurrentMember me, BoardDb db, IOptions<PushOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var endpoint = PushDevice.ValidEndpoint(request.Endpoint, options.Value.AllowPrivateNetworks).AbsoluteUri;
        var p256dh = PushDevice.ValidKey(request.Keys?.P256dh, PushDevice.PublicKeyBytes, "keys.p256dh");
        var auth = PushDevice.ValidKey(request.Keys?.Auth, PushDevice.AuthBytes, "keys.auth");
        var language = PushTexts.Language(http.Request.Headers.AcceptLanguage);
        await db.BeginWriteAsync(ct);
        var devices = db.Set<PushDevice>();
        if (await devices.FirstOrDefaultAsync(d => d.Endpoint == endpoint, ct) is { } known)
            known.Renew(me.Member.Id, p256dh, auth, language);
        else
        {
            if (await devices.CountAsync(d => d.MemberId == me.Member.Id, ct) >= PushDevice.MaxPerMember)
                throw new Refusal(RefusalCode.Conflict, $"Notifications already go to {PushDevice.MaxPerMember} devices; turn them off on one first.");
            devices.Add(PushDevice.Create(me.Member.Id, endpoint, p256dh, auth, language, clock.GetUtcNow()));
        }
        await db.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, NotFound>> Unsubscribe([FromBody] UnsubscribeRequest request, CurrentMember me, BoardDb db, CancellationToken ct)
    {
        var endpoint = request.Endpoint?.Trim() ?? "";
        if (endpoint.Length is 0 or > PushDevice.EndpointMax || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            throw Refusal.Invalid("endpoint", $"The endpoint must be an absolute address of at most {PushDevice.EndpointMax} characters.");
        var normalized = uri.AbsoluteUri;
        // Only the member's own device: someone else's endpoint is as unknown as a made-up one.
        var removed = await db.Set<PushDevice>().Where(d => d.Endpoint == normalized && d.MemberId == me.Member.Id).ExecuteDeleteAsync(ct);
        return removed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
