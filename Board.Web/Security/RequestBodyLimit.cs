using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Board.Web.Security;

/// <summary>
/// Every input has a limit: no request body beyond <see cref="MaxBytes"/>, refused with 413 before it is read, unless
/// its route names a limit of its own (the photo upload does).
/// </summary>
public static class RequestBodyLimit
{
    public const long MaxBytes = 256 * 1024;

    /// <summary>
    /// Kestrel reads what the client is still sending after a 413 (up to this much), so the client gets to read the
    /// answer instead of a connection reset in the middle of its upload.
    /// </summary>
    private const long TooLargeDrainBytes = 32 * 1024 * 1024;

    public static WebApplicationBuilder LimitRequestBodies(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = MaxBytes);
        return builder;
    }

    // Not async: a frame awaiting next() would live as long as the request, and a hub request lives as long as its WebSocket.
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var allowed = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxBytes;
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature ? feature : null;
        if (context.Request.ContentLength > allowed)
        {
            limit?.MaxRequestBodySize = Math.Max(allowed, TooLargeDrainBytes);
            throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
        }
        limit?.MaxRequestBodySize = allowed;
        return next(context);
    });
}
