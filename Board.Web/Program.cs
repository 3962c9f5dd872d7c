using Board.Web.Auth;
using Board.Web.Boards;
using Board.Web.Demo;
using Board.Web.Expiry;
using Board.Web.Members;
using Board.Web.Notifications;
using Board.Web.Persistence;
using Board.Web.Problems;
using Board.Web.Proposals;
using Board.Web.Realtime;
using Board.Web.Security;
using Board.Web.Trail;
using Board.Web.Webhooks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;

// Offline trail commands (verify, export…) run against the SQLite file and never start the web host.
if (args is ["audit", ..]) return await AuditCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = "../wwwroot" });

const long MaxRequestBytes = 256 * 1024;
builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = MaxRequestBytes);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<MarkdownRenderer>();
builder.Services.AddSingleton<ProposalViews>();
builder.Services.AddBoardDatabase(builder.Configuration, builder.Environment);
builder.Services.AddBoardAuth();
builder.Services.AddBrowserRequestGuard();
builder.Services.AddRealtime(builder.Configuration);
builder.Services.AddSingleton<ExpirySweeper>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ExpirySweeper>());
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddVerifyLimit(builder.Configuration);
builder.Services.AddValidation();
builder.Services.AddOpenApi();
builder.Services.AddHealthChecks();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddExceptionHandler<RefusalHandler>();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
{
    c.ProblemDetails.Extensions.TryAdd("code", RefusalHandler.CodeOfStatus(c.ProblemDetails.Status));
    c.ProblemDetails.Extensions.Remove("traceId");
    // Field errors use the JSON names clients send, not the C# property names.
    if (c.ProblemDetails is HttpValidationProblemDetails validation)
    {
        var camel = validation.Errors.ToDictionary(e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value);
        validation.Errors.Clear();
        foreach (var (key, value) in camel) validation.Errors[key] = value;
    }
});

var app = builder.Build();
app.UseSecurityHeaders();

await app.Services.PrepareDatabaseAsync(app.Environment, app.Configuration);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.Use(async (context, next) =>
{
    if (context.Request.ContentLength > MaxRequestBytes)
        throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
    if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxRequestBytes;
    await next(context);
});
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseBrowserRequestGuard();
app.UseAuthorization();
app.UseRateLimiter();

app.MapOpenApi();
app.MapHealthChecks("/healthz");
app.MapAuth();
app.MapMembers();
app.MapBoards();
app.MapProposals();
app.MapTrail();
app.MapWebhooks();
app.MapNotifications();
app.MapHub<BoardHub>(BoardHub.Path);

app.Run();
return 0;

public partial class Program;
