using Board.Domain;
using Board.Domain.Proposals;
using Board.Web.Auth;
using Board.Web.Persistence;
using Board.Web.Problems;
using Board.Web.Proposals;
using Board.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace Board.Web.Attachments;

public static class AttachmentsEndpoints
{
    /// <summary>The upload route's body limit: the largest photo and the multipart framing and alt text around it.</summary>
    public const long UploadRequestMaxBytes = Attachment.UploadMaxBytes + 64 * 1024;

    /// <summary>What a photo is stored and served as: <see cref="PhotoProcessor"/> re-encodes every upload to one of these.</summary>
    public static readonly IReadOnlyList<string> PhotoTypes = ["image/jpeg", "image/png", "image/webp"];

    // Photos never change under their id: a browser may keep them as long as it likes, and private to the member's cache.
    private const string CacheControl = "private, max-age=31536000, immutable";

    public static IServiceCollection AddPhotos(this IServiceCollection services) =>
        services.AddSingleton<PhotoProcessor>().AddScoped<IPhotoStore, DatabasePhotoStore>();

    public static IEndpointRouteBuilder MapAttachments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Photos").RequireAuthorization();
        group.MapPost("/proposals/{id:guid}/attachments", Add)
            .WithName("addAttachment")
            .WithSummary("Adds a photo to an open proposal (author only); earlier approvals are dismissed.")
            .WithMetadata(new RequestSizeLimitAttribute(UploadRequestMaxBytes))
            // The browser guard checks the antiforgery header on every cookie request; the form binder need not again.
            .DisableAntiforgery()
            .RequireRateLimiting(RateLimits.WritePolicy)
            .Refuses(RefusalCode.NotAuthor, RefusalCode.NotOpen, RefusalCode.TooLarge);
        group.MapDelete("/attachments/{id:guid}", Remove)
            .WithName("removeAttachment")
            .WithSummary("Removes a photo from an open proposal (author only); earlier approvals are dismissed.")
            .RequireRateLimiting(RateLimits.WritePolicy)
            .Refuses(RefusalCode.NotAuthor, RefusalCode.NotOpen);
        group.MapGet("/attachments/{id:guid}", Get)
            .WithName("getAttachment")
            .WithSummary("The stored photo's bytes, or its thumbnail's with size=thumb (cacheable, immutable).")
            // The bytes as they are: each photo type, with no JSON schema to check.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Responses ??= [];
                operation.Responses["200"] = new OpenApiResponse
                {
                    Description = "The photo, or its thumbnail, as stored.",
                    Content = PhotoTypes.ToDictionary(t => t, _ => new OpenApiMediaType()),
                };
                return Task.CompletedTask;
            });
        return app;
    }

    /// <summary><paramref name="alt"/>: what the photo shows, for people who cannot see it.</summary>
    static async Task<Results<Created<AttachmentDto>, NotFound>> Add(
        Guid id, IFormFile file, [FromForm] string? alt, CurrentMember me, BoardDb db, PhotoProcessor photos, IPhotoStore store,
        TimeProvider clock, CancellationToken ct)
    {
        Attachment.RequireUploadSize(file.Length);
        // Refused before the work of decoding: someone else's proposal, a closed one, a full one.
        if (await db.FindForReadAsync(id, ct) is not { } unlocked) return TypedResults.NotFound();
        unlocked.RequireMayAddPhoto(me.Member, clock.GetUtcNow());

        // Decoded and encoded outside the write lock: the other writers do not wait for the pixels.
        await using var upload = file.OpenReadStream();
        var photo = await photos.ProcessAsync(upload, ct);

        if (await db.FindForUpdateAsync(id, ct) is not { } proposal) return TypedResults.NotFound();
        var attachment = proposal.AddPhoto(me.Member, photo.Facts, alt, clock.GetUtcNow());
        store.Add(attachment.Id, photo);
        await db.CommitAsync(ct);
        return TypedResults.Created($"/api/attachments/{attachment.Id}", AttachmentDto.From(attachment));
    }

    static async Task<Results<Ok<ProposalDto>, NotFound>> Remove(
        Guid id, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        var proposalId = await db.Set<Attachment>().Where(a => a.Id == id).Select(a => (Guid?)a.ProposalId).FirstOrDefaultAsync(ct);
        if (proposalId is null || await db.FindForUpdateAsync(proposalId.Value, ct) is not { } proposal) return TypedResults.NotFound();
        proposal.RemovePhoto(me.Member, id, clock.GetUtcNow());
        await db.CommitAsync(ct);
        return TypedResults.Ok(views.Of(proposal));
    }

    /// <summary><paramref name="size"/>: <c>thumb</c> for the thumbnail (longest side at most 320 px); empty for the photo.</summary>
    static async Task<Results<FileContentHttpResult, NotFound>> Get(
        Guid id, string? size, CurrentMember me, BoardDb db, IPhotoStore store, HttpContext http, CancellationToken ct)
    {
        var thumbnail = size?.Trim().ToLowerInvariant() switch
        {
            null or "" or "full" => false,
            "thumb" => true,
            _ => throw Refusal.Invalid("size", "Unknown size. Use thumb, or leave it out for the photo."),
        };
        var facts = await db.Set<Attachment>().AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { a.ContentType, a.Sha256 }).FirstOrDefaultAsync(ct);
        if (facts is null || await store.ReadAsync(id, thumbnail, ct) is not { } bytes) return TypedResults.NotFound();

        http.Response.Headers.CacheControl = CacheControl;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(bytes, facts.ContentType,
            entityTag: new EntityTagHeaderValue($"\"{facts.Sha256[..32]}{(thumbnail ? "-thumb" : "")}\""));
    }
}
