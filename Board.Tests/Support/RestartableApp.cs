using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace Board.Tests;

/// <summary>The app on a fixed port and database folder, so a test can stop it and start it again as the same server.</summary>
public sealed class RestartableApp : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("board-tests-").FullName;
    private readonly int _port = FreePort();
    private IPlaywright? _playwright;

    public PinnedApp Current { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await StartAsync();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public async Task StartAsync()
    {
        Current = new PinnedApp(_folder, _port);
        await Current.InitializeAsync();
    }

    /// <summary>Stops the server: every open connection drops, as when the process restarts.</summary>
    public async Task StopAsync()
    {
        await Current.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await ((IAsyncLifetime)Current).DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public sealed class PinnedApp(string folder, int port) : BoardApp(folder, port: port);
}
