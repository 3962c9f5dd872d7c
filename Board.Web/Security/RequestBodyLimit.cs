using Microsoft.AspNetCore.Http.Features;

namespace Board.Web.Security;

/// <summary>Every input has a limit: no request body beyond <see cref="MaxBytes"/>, refused with 413 before it is read.</summary>
public static class RequestBodyLimit
{
    public const long MaxBytes = 256 * 1024;

    public static WebApplicationBuilder LimitRequestBodies(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = MaxBytes);
        return builder;
    }

    // Not async: a frame awaiting next() would live as long as the request, and a hub request lives as long as its WebSocket.
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.ContentLength > MaxBytes)
            throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBytes;
        return next(context);
    });
}
