using Board.Web;
using Board.Web.Attachments;
using Board.Web.Auth;
using Board.Web.Boards;
using Board.Web.Contract;
using Board.Web.Demo;
using Board.Web.Expiry;
using Board.Web.Health;
using Board.Web.Hosting;
using Board.Web.Insights;
using Board.Web.Keys;
using Board.Web.Me;
using Board.Web.Members;
using Board.Web.Meta;
using Board.Web.Notifications;
using Board.Web.OpenApi;
using Board.Web.Persistence;
using Board.Web.Problems;
using Board.Web.Proposals;
using Board.Web.Push;
using Board.Web.Realtime;
using Board.Web.Security;
using Board.Web.Telemetry;
using Board.Web.Trail;
using Board.Web.Webhooks;

// Offline trail commands (verify, export…) run against the SQLite file and never start the web host.
if (args is ["audit", ..]) return await AuditCommand.RunAsync(args[1..]);
if (args is ["backup", ..]) return await BackupCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = "../wwwroot" });
builder.LimitRequestBodies().LimitConnections();
var services = builder.Services.AddSingleton(TimeProvider.System).AddValidation().AddApiContract().AddBoardProblems();
try { services.AddBoardDatabase(builder.Configuration, builder.Environment).AddRealtime(builder.Configuration); }
catch (SettingException e) { return StartupError(e); }
services.AddBoardAuth(DataProtectionCertificate.Load(builder.Configuration, builder.Environment)).AddSessionRevocation()
    .AddBoardSecurity(builder.Configuration).AddProposals().AddPhotos().AddExpiry()
    .AddWebhooks(builder.Configuration, builder.Environment).AddPush(builder.Configuration, builder.Environment)
    .AddVerifyLimit(builder.Configuration).AddTrailProof(builder.Configuration, builder.Environment)
    .AddBoardHealth(builder.Configuration).AddBoardTelemetry(builder.Configuration);
var app = builder.Build();
if (!ConfigurationCheck.Passes(app.Services, Console.Error)) return 1;
app.UseTransportSecurity();
try { app.Services.RequireKeys(); await app.Services.MigrateDatabaseAsync(); }
catch (SettingException e) { return StartupError(e); }
await app.Services.RunExclusiveAsync(async () =>
{
    await app.Services.EnsureSignInKeysAsync();
    await app.Services.SeedAsync(app.Environment, app.Configuration);
});
app.UseExceptionHandler().UseStatusCodePages().UseBoardMetrics(app.Configuration).UseRequestBodyLimit().UseDefaultFiles().UseStaticFiles();
app.UseAuthentication().UseSessionCheck().UseBrowserRequestGuard().UseAuthorization().UseRateLimitHeaders().UseRateLimiter().UseWriteRelease();
app.MapBoardOpenApi().MapBoardHealth().MapAuth().MapDemo().MapMembers().MapBoards().MapProposals().MapAttachments();
app.MapTrail().MapTrailProof().MapWebhooks().MapPush().MapNotifications().MapMe().MapMeta().MapInsights().MapHub<BoardHub>(BoardHub.Path);
app.PrintWhenStarted(Console.Out);
app.Run();
return 0;
// A setting that keeps Board from starting is said in one line naming the key, not as a stack trace.
static int StartupError(Exception e) { Console.Error.WriteLine($"Board cannot start: {e.Message}"); return 3; }

public partial class Program;
