using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Board.Tests;

/// <summary>
/// Board.Web as a real child process (<c>dotnet Board.Web.dll</c>, built next to the test assembly) on a loopback
/// port: what an operator runs, so that a kill -9 is a real kill and two instances share nothing but the database.
/// </summary>
public sealed class BoardProcess : IAsyncDisposable
{
    /// <summary>The test classes that run pairs of Board processes take turns: two pairs at once would measure only the CPU.</summary>
    public const string Collection = "Board processes";

    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private BoardProcess(Process process, Uri url) => (_process, Url) = (process, url);

    public Uri Url { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote, for a failing assertion's message.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the process; with <paramref name="waitUntilHealthy"/>, returns once /healthz answers.</summary>
    public static async Task<BoardProcess> StartAsync(IDictionary<string, string> settings, int port = 0, bool waitUntilHealthy = true)
    {
        port = port == 0 ? FreePort() : port;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Board.Web.dll"));
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Error";
        // Thousands of approvals a minute from a handful of members: far past what the write limits allow people.
        foreach (var (key, value) in BoardApp.UnlimitedRates) info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        foreach (var (key, value) in settings) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start Board.Web");
        var board = new BoardProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => board.Append(e.Data);
        process.ErrorDataReceived += (_, e) => board.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitUntilHealthy) await board.WaitUntilHealthyAsync();
        return board;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(240); // a first demo seed on a loaded 2-core machine takes minutes
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Board.Web exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await DisposeAsync();
        throw new TimeoutException($"Board.Web did not answer /healthz within 240 s:\n{Output}");
    }

    /// <summary>Waits for the process to end by itself (a refused start); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    /// <summary>kill -9: no shutdown, no flush, no goodbye to clients.</summary>
    public void KillHard()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>An HTTP client for this instance, optionally with a bearer token.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = Url,
            Timeout = TimeSpan.FromSeconds(100),
        };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<string> LoginAsync(string email, string password)
    {
        using var client = Client();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"login {email} on {Url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("accessToken").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
        }
        _process.Dispose();
    }
}
