using System.Diagnostics;
using Board.Web.Auth;
using Board.Web.Boards;
using Board.Web.Contract;
using Board.Web.Demo;
using Board.Web.Expiry;
using Board.Web.Health;
using Board.Web.Hosting;
using Board.Web.Insights;
using Board.Web.Me;
using Board.Web.Members;
using Board.Web.Meta;
using Board.Web.Notifications;
using Board.Web.Persistence;
using Board.Web.Problems;
using Board.Web.Proposals;
using Board.Web.Realtime;
using Board.Web.Security;
using Board.Web.Telemetry;
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
builder.LimitConnections();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<MarkdownRenderer>();
builder.Services.AddSingleton<ProposalViews>();
try
{
    builder.Services.AddBoardDatabase(builder.Configuration, builder.Environment);
    builder.Services.AddRealtime(builder.Configuration);
}
catch (SettingException e)
{
    return StartupError(e);
}
builder.Services.AddBoardAuth();
builder.Services.AddSessionRevocation();
builder.Services.AddTransport(builder.Configuration);
builder.Services.AddBrowserRequestGuard();
builder.Services.AddSingleton<ExpirySweeper>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ExpirySweeper>());
builder.Services.AddWebhooks(builder.Configuration, builder.Environment);
builder.Services.AddVerifyLimit(builder.Configuration);
builder.Services.AddRateLimits(builder.Configuration);
builder.Services.AddValidation();
builder.Services.AddApiContract();
builder.Services.AddBoardHealth(builder.Configuration);
builder.Services.AddBoardTelemetry(builder.Configuration);
builder.Services.AddCheckedSettings();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddExceptionHandler<RefusalHandler>();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
{
    c.ProblemDetails.Extensions.TryAdd("code", RefusalHandler.CodeOfStatus(c.ProblemDetails.Status));
    // The id of the request's trace, as every log line of the request carries it: a client's report finds the logs.
    c.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? c.HttpContext.TraceIdentifier;
    // Field errors use the JSON names clients send, not the C# property names.
    if (c.ProblemDetails is HttpValidationProblemDetails validation)
    {
        var camel = validation.Errors.ToDictionary(e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value);
        validation.Errors.Clear();
        foreach (var (key, value) in camel) validation.Errors[key] = value;
    }
});

var app = builder.Build();
if (!ConfigurationCheck.Passes(app.Services, Console.Error)) return 1;
app.UseForwardedHeaders();
app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment()) app.UseHsts();

try
{
    await app.Services.MigrateDatabaseAsync();
}
catch (SettingException e)
{
    return StartupError(e);
}
await app.Services.RunExclusiveAsync(async () =>
{
    app.Services.EnsureSignInKeys();
    await app.Services.SeedAsync(app.Environment, app.Configuration);
});

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBoardMetrics(app.Configuration);
// Not async: a frame awaiting next() would live as long as the request, and a hub request lives as long as its WebSocket.
app.Use((context, next) =>
{
    if (context.Request.ContentLength > MaxRequestBytes)
        throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
    if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxRequestBytes;
    return next(context);
});
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseSessionCheck();
app.UseBrowserRequestGuard();
app.UseAuthorization();
app.UseRateLimitHeaders();
app.UseRateLimiter();
app.UseWriteRelease();

// The API's own description is for developers; elsewhere it is for administrators only.
if (app.Environment.IsDevelopment()) app.MapOpenApi();
else app.MapOpenApi().RequireAuthorization().RequireMemberRole(Board.Domain.Members.Roles.Admin);
app.MapApiReference(app.Environment);
app.MapBoardHealth();
app.MapAuth();
app.MapMembers();
app.MapBoards();
app.MapProposals();
app.MapTrail();
app.MapWebhooks();
app.MapNotifications();
app.MapMe();
app.MapMeta();
app.MapInsights();
app.MapHub<BoardHub>(BoardHub.Path);

app.PrintWhenStarted(Console.Out);
app.Run();
return 0;

// A setting that keeps Board from starting is said in one line naming the key, not as a stack trace.
static int StartupError(Exception e)
{
    Console.Error.WriteLine($"Board cannot start: {e.Message}");
    return 3;
}

public partial class Program;
