using System.Net;
using Microsoft.Data.Sqlite;

namespace Board.Tests.Operations;

/// <summary>Readiness follows the database: 503 while its file cannot be opened, 200 once it can again. Liveness never asks it.</summary>
[Trait("Kind", "Api")]
public sealed class HealthTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task Ready_WhileTheDatabaseFileCannotBeOpened_Is503_AndRecovers()
    {
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);

        using (DatabaseFile.MakeUnreadable(app.DatabasePath))
        {
            await Health.WaitForAsync(client, "/healthz/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        }

        await Health.WaitForAsync(client, "/healthz/ready", HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}

public sealed class RedisHealthApp : BoardApp
{
    public RedisServer Redis { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["SignalR:Redis"] = Redis.Configuration };

    public override async ValueTask InitializeAsync()
    {
        RedisServer.RequireRedis();
        await Redis.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>With <c>SignalR:Redis</c> set, readiness also follows Redis.</summary>
[Trait("Kind", "Api")]
public sealed class RedisHealthTests(RedisHealthApp app) : IClassFixture<RedisHealthApp>
{
    [Fact]
    public async Task Ready_WhileRedisIsDown_Is503_AndRecovers()
    {
        using var client = app.Anonymous();
        await Health.WaitForAsync(client, "/healthz/ready", HttpStatusCode.OK);

        await app.Redis.StopAsync();
        await Health.WaitForAsync(client, "/healthz/ready", HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);

        await app.Redis.StartAsync();
        await Health.WaitForAsync(client, "/healthz/ready", HttpStatusCode.OK);
    }
}

public static class Health
{
    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="expected"/> (a check may take a moment to see a change).</summary>
    public static async Task WaitForAsync(HttpClient client, string path, HttpStatusCode expected, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        HttpResponseMessage response;
        do
        {
            response = await client.GetAsync(path);
            if (response.StatusCode == expected) return;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{path} answered {(int)response.StatusCode} for {seconds} s, expected {(int)expected}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>
/// Puts a folder where the SQLite file was: no connection can open it, and none can create a fresh empty database
/// there either. The file and its WAL are moved aside (open handles follow them) and put back on dispose.
/// </summary>
public sealed class DatabaseFile : IDisposable
{
    private static readonly string[] Suffixes = ["", "-wal", "-shm"];
    private readonly string _path;
    private readonly List<string> _moved = [];

    private DatabaseFile(string path) => _path = path;

    public static DatabaseFile MakeUnreadable(string path)
    {
        var file = new DatabaseFile(path);
        // Pooled connections hold the file open and would keep answering from it.
        SqliteConnection.ClearAllPools();
        foreach (var suffix in Suffixes.Where(s => File.Exists(path + s)))
        {
            File.Move(path + suffix, path + suffix + ".aside");
            file._moved.Add(suffix);
        }
        // A background reader may have created an empty database in the moment between the move and now.
        while (!Directory.Exists(path))
        {
            foreach (var suffix in Suffixes) File.Delete(path + suffix);
            try { Directory.CreateDirectory(path); } catch (IOException) { }
        }
        return file;
    }

    public void Dispose()
    {
        Directory.Delete(_path);
        foreach (var suffix in Suffixes) File.Delete(_path + suffix);
        foreach (var suffix in _moved) File.Move(_path + suffix + ".aside", _path + suffix);
        SqliteConnection.ClearAllPools();
    }
}
