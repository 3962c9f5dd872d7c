using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Board.Bench;

/// <summary>A server the bench starts and measures from outside: Board.Web, or the bench's own bare hub.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly StreamWriter _log;

    private readonly System.Runtime.CompilerServices.StrongBox<bool> _stopping;

    private ChildProcess(Process process, Uri url, StreamWriter log, System.Runtime.CompilerServices.StrongBox<bool> stopping)
    {
        _stopping = stopping;
        Process = process;
        Url = url;
        _log = log;
    }

    public Process Process { get; }
    public Uri Url { get; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<ChildProcess> StartAsync(
        string name, string workingDirectory, IEnumerable<string> arguments, IDictionary<string, string> environment,
        int port, string logPath, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        // Other work on this machine may stop it (a broad pkill, say): say so at once rather than fail obscurely later.
        process.EnableRaisingEvents = true;
        var stopping = new System.Runtime.CompilerServices.StrongBox<bool>();
        process.Exited += (_, _) => { if (!stopping.Value) Log.Line($"!! {name} (pid {process.Id}) exited with code {process.ExitCode}; see {logPath}"); };
        // Drained at once: a console logger that cannot write would stall the server and skew every figure.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var url = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{name} exited with {process.ExitCode}; see {logPath}");
            try
            {
                if ((await http.GetAsync("/healthz", ct)).IsSuccessStatusCode) return new ChildProcess(process, url, log, stopping);
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(200, ct);
        }
        stopping.Value = true;
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{name} did not answer /healthz within 60 s; see {logPath}");
    }

    /// <summary>Resident memory now (VmRSS), bytes; -1 once the process has exited (the bench reports that, not a crash of its own).</summary>
    public long Rss()
    {
        Process.Refresh();
        return Process.HasExited ? -1 : Process.WorkingSet64;
    }

    /// <summary>Peak resident memory so far (VmHWM), bytes.</summary>
    public long PeakRss()
    {
        Process.Refresh();
        return Process.PeakWorkingSet64;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Value = true;
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await Process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
        }
        Process.Dispose();
        lock (_log) _log.Dispose();
    }
}
