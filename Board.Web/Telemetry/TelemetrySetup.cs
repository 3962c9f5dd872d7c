using System.Net;
using Board.Web.Hosting;
using Board.Web.Persistence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Board.Web.Telemetry;

/// <summary>
/// OpenTelemetry: metrics always (Board's meter, ASP.NET Core, Kestrel, SignalR, HttpClient, the runtime), scraped in
/// Prometheus text at <c>/metrics</c>; traces and everything else exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddBoardTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedSettings<MetricsSettings>("Metrics");
        services.AddSingleton<BoardMetrics>();
        services.AddSingleton<ICommitObserver, CommitMetrics>();
        services.AddSingleton<HubMetrics>();
        services.Configure<HubOptions>(o => o.AddFilter<HubMetrics>());

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("board"))
            .WithMetrics(m => m
                .AddMeter(BoardMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("System.Runtime")
                // Prometheus keeps a _count suffix for histograms and summaries; these three runtime gauges and counters
                // would read as one (promtool check metrics refuses them), so they are scraped under plural names.
                .AddView("dotnet.assembly.count", "dotnet.assemblies")
                .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
                .AddView("dotnet.timer.count", "dotnet.timers")
                // Every scrape sees the counters as they are now, not a copy up to 300 ms old.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation());
            otel.UseOtlpExporter();
        }
        return services;
    }

    /// <summary>
    /// <c>/metrics</c> answers callers on this machine, or anyone on <c>Metrics:Port</c> (which then serves nothing else);
    /// everyone else gets the 404 of a route that does not exist.
    /// </summary>
    public static IApplicationBuilder UseBoardMetrics(this IApplicationBuilder app, IConfiguration configuration)
    {
        var port = configuration.GetValue<int?>("Metrics:Port");
        if (port is { } metricsPort)
        {
            app.Use((http, next) =>
            {
                if (http.Connection.LocalPort != metricsPort || http.Request.Path == MetricsPath) return next(http);
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        }
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
            http.Request.Path == MetricsPath
            && (http.Connection.LocalPort == port || http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)));
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/healthz") || path == MetricsPath;
}
