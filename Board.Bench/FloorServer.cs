using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Board.Bench;

/// <summary>
/// The broadcast floors: a bare SignalR hub on Kestrel, no domain, no auth. Started by the bench as a separate process
/// (<c>--floor-server --port P --db FILE</c>) so that it is measured in the same layout as Board.Web. <c>Fire</c> only
/// broadcasts (the bare-hub floor); <c>FireDurable</c> first commits one row to a SQLite file with Board's durability
/// (WAL, synchronous=FULL: the commit is fsynced) and broadcasts once it is durable — the durable-broadcast floor, the
/// least a server that must not announce what it could still lose can do.
/// </summary>
public static class FloorServer
{
    public const string Path = "/hubs/floor";
    public const string Group = "floor";

    public static async Task RunAsync(int port, string database)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSignalR();
        await using var log = DurableLog.Open(database);
        builder.Services.AddSingleton(log);
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapHub<FloorHub>(Path);
        await app.RunAsync();
    }
}

public sealed class FloorHub(DurableLog log) : Hub
{
    public Task Watch() => Groups.AddToGroupAsync(Context.ConnectionId, FloorServer.Group);

    /// <summary>Sends <paramref name="payload"/> to every watcher, as Board sends an entry to a board's group.</summary>
    public Task Fire(int round, JsonElement payload) => Clients.Group(FloorServer.Group).SendAsync("event", round, payload);

    /// <summary>Commits one fsynced row carrying <paramref name="payload"/>, then sends it as <see cref="Fire"/> does.</summary>
    public async Task FireDurable(int round, JsonElement payload)
    {
        await log.AppendAsync(round, payload.GetRawText());
        await Clients.Group(FloorServer.Group).SendAsync("event", round, payload);
    }
}

/// <summary>One SQLite file, one writer at a time, each append its own fsynced transaction.</summary>
public sealed class DurableLog : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _writer = new(1, 1);

    private DurableLog(SqliteConnection connection) => _connection = connection;

    public static DurableLog Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var setup = connection.CreateCommand();
        setup.CommandText = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS commits (Seq INTEGER PRIMARY KEY, Round INTEGER NOT NULL, At INTEGER NOT NULL, Payload TEXT NOT NULL);
            """;
        setup.ExecuteNonQuery();
        return new DurableLog(connection);
    }

    public async Task AppendAsync(int round, string payload)
    {
        await _writer.WaitAsync();
        try
        {
            await using var tx = _connection.BeginTransaction(deferred: false);
            await using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO commits (Round, At, Payload) VALUES ($round, $at, $payload)";
            insert.Parameters.AddWithValue("$round", round);
            insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$payload", payload);
            await insert.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
        finally
        {
            _writer.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _writer.Dispose();
    }
}
