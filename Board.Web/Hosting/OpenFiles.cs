using System.Globalization;

namespace Board.Web.Hosting;

/// <summary>
/// Every open connection — an idle watcher's WebSocket too — is a file descriptor, and a process that runs out of
/// them cannot open its database, its log or the next socket, or even recover from the failure (in the bench the
/// runtime itself aborted, "Out of memory", at ~19,600 WebSockets under a limit of 20,000 open files). So Kestrel takes
/// no more connections than the process may open files, less a reserve for everything else: beyond that a new
/// connection is closed at once and the open ones carry on. Kestrel counts an upgraded connection (a WebSocket) apart
/// from the others, so the budget is split: nine tenths for WebSockets, one tenth for plain HTTP.
/// <c>Kestrel:Limits:MaxConcurrentConnections</c> and <c>Kestrel:Limits:MaxConcurrentUpgradedConnections</c>, when
/// set, decide instead; for more watchers per instance, raise the open-files limit (systemd <c>LimitNOFILE</c>).
/// </summary>
public static class OpenFiles
{
    /// <summary>Descriptors kept for the database, WAL, logs, outgoing webhooks and the runtime.</summary>
    public const long Reserve = 512;

    private const string LimitsFile = "/proc/self/limits";

    public static void LimitConnections(this WebApplicationBuilder builder)
    {
        if (!File.Exists(LimitsFile) || ConnectionLimit(File.ReadAllText(LimitsFile)) is not { } budget) return;
        var (http, webSockets) = Split(budget);
        var configured = builder.Configuration.GetSection("Kestrel:Limits");
        builder.WebHost.ConfigureKestrel(o =>
        {
            if (string.IsNullOrEmpty(configured["MaxConcurrentConnections"])) o.Limits.MaxConcurrentConnections = http;
            if (string.IsNullOrEmpty(configured["MaxConcurrentUpgradedConnections"])) o.Limits.MaxConcurrentUpgradedConnections = webSockets;
        });
    }

    /// <summary>The budget as (plain HTTP connections, WebSockets): one tenth and nine tenths, at least one each.</summary>
    public static (long Http, long WebSockets) Split(long budget)
    {
        var http = Math.Max(1, budget / 10);
        return (http, Math.Max(1, budget - http));
    }

    /// <summary>
    /// The connections to allow in all, from the text of <c>/proc/self/limits</c>: the soft "Max open files" less
    /// <see cref="Reserve"/>; null when there is no finite limit to respect.
    /// </summary>
    public static long? ConnectionLimit(string limits)
    {
        foreach (var line in limits.Split('\n'))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft)) return null;
            return Math.Max(1, soft - Reserve);
        }
        return null;
    }
}
