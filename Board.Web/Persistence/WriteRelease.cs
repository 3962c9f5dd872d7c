namespace Board.Web.Persistence;

/// <summary>
/// Lets go of a write an endpoint began but did not commit (a refusal, a 404) as soon as the endpoint is done, before
/// the refusal is logged and its problem response written: the writers queued behind it do not wait for that.
/// </summary>
public static class WriteRelease
{
    // Reads never write, and a hub request (a GET) lives as long as its connection: those pass straight through,
    // with no frame of this middleware kept alive.
    public static IApplicationBuilder UseWriteRelease(this IApplicationBuilder app) =>
        app.Use((context, next) => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? next(context)
            : ReleasingAsync(context, next));

    private static async Task ReleasingAsync(HttpContext context, RequestDelegate next)
    {
        var db = context.RequestServices.GetRequiredService<BoardDb>();
        try
        {
            await next(context);
        }
        finally
        {
            db.AbandonWrite();
        }
    }
}
