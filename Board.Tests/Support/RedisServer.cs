using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Board.Tests;

/// <summary>
/// A redis-server of the test's own on a free loopback port, so that the test can stop it and start it again.
/// <c>BOARD_TEST_REDIS</c> says this machine has Redis (scripts/services.sh installs and starts it); without it the test fails and says so.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("board-redis-").FullName;
    private Process? _process;

    public int Port { get; } = FreePort();
    public string Configuration => $"127.0.0.1:{Port}";

    public static void RequireRedis()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("BOARD_TEST_REDIS")))
            Assert.Fail("BOARD_TEST_REDIS is not set: run `bash scripts/services.sh start` (it installs and starts redis-server) and export the settings it prints.");
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _folder },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"redis-server exited with {(_process.HasExited ? _process.ExitCode : 0)}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        Assert.Fail($"redis-server did not listen on {Port} within 10 s");
    }

    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        if (!process.HasExited) process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
