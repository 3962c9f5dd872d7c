using System.Diagnostics;

namespace Board.Tests.Operations;

/// <summary>
/// A PostgreSQL cluster of the test's own (initdb into a temp folder, run as user <c>postgres</c>, on a free loopback
/// port), so that the test can restart it; the shared server of the other tests is never touched.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("board-pg-").FullName;

    public int Port { get; } = BoardProcess.FreePort();
    private string Data => Path.Combine(_folder, "data");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password=unused;Database={database};Timeout=5;Command Timeout=15";

    /// <summary>Fails the test, saying why, when this machine has no PostgreSQL binaries to make a cluster with.</summary>
    public static void RequireBinaries()
    {
        if (Which("initdb") is null || Which("pg_ctl") is null || Which("runuser") is null)
            Assert.Fail("initdb, pg_ctl and runuser are needed (scripts/services.sh installs PostgreSQL).");
    }

    public async Task InitAsync()
    {
        await RunAsync("chown", "-R", "postgres", _folder);
        await AsPostgresAsync("initdb", "-D", Data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8");
        await StartAsync();
    }

    public Task StartAsync() => AsPostgresAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_folder, "log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    /// <summary><c>pg_ctl restart -m fast</c>: every session is ended, the server stops and starts again.</summary>
    public Task RestartFastAsync() => AsPostgresAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_folder, "log"), "-w", "-t", "60", "-m", "fast",
        "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "restart");

    public async ValueTask DisposeAsync()
    {
        try { await AsPostgresAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop"); } catch (InvalidOperationException) { }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static Task AsPostgresAsync(params string[] command) => RunAsync("runuser", ["-u", "postgres", "--", .. command]);

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/tmp" };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
