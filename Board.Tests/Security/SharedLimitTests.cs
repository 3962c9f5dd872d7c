using System.Net;
using System.Net.Http.Json;
using Board.Tests.Realtime;
using Board.Web.Demo;
using Board.Web.Realtime;
using Board.Web.Security;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;

namespace Board.Tests.Security;

/// <summary>An instance with low limits, counted in a Redis shared with <see cref="Other"/>, another instance on the same database.</summary>
public sealed class SharedLimitApp : BoardApp
{
    public const int Burst = 6;
    public const int SignIns = 30;
    public const int Connections = 2;
    private readonly string _prefix;

    /// <summary>The prefix of this pair's keys in Redis.</summary>
    public string Prefix => _prefix;

    public SharedLimitApp() : this(null, $"l{Guid.NewGuid():N}") { }

    private SharedLimitApp(string? folder, string prefix)
        : base(folder ?? Directory.CreateTempSubdirectory("board-tests-").FullName, ownsFolder: folder is null) => _prefix = prefix;

    public SharedLimitApp Other() => new(Folder, _prefix);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [RealtimeSetup.RedisKey] = $"{RedisApp.Redis},channelPrefix={_prefix}",
        ["Realtime:PollMilliseconds"] = "600000",
        ["RateLimits:WriteBurst"] = Burst.ToString(),
        ["RateLimits:WritesPerMinute"] = "1",
        ["RateLimits:SignInPerAddress"] = SignIns.ToString(),
        ["RateLimits:SignInPerAddressWindowSeconds"] = "300",
        ["Realtime:ConnectionsPerMember"] = Connections.ToString(),
    };
}

/// <summary>With <c>SignalR:Redis</c> set, a flood split across two instances meets one allowance, not two.</summary>
[Trait("Kind", "Api")]
public sealed class SharedLimitTests(SharedLimitApp a) : IClassFixture<SharedLimitApp>
{
    [Fact]
    public async Task WritesOfOneMember_SplitAcrossTwoInstances_AreLimitedAsOne()
    {
        await using var b = a.Other();
        await b.InitializeAsync();
        var board = await a.FirstBoardAsync();
        using var onA = await a.SignInAsync("staff3");
        using var onB = await b.SignInAsync("staff3");

        var accepted = 0;
        var refusedOn = new HashSet<string>();
        for (var i = 0; i < 4 * SharedLimitApp.Burst; i++)
        {
            var (session, name) = i % 2 == 0 ? (onA, "A") : (onB, "B");
            using var response = await session.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals",
                new { title = $"Flood {i}", body = "Split across two instances." });
            if (response.StatusCode == HttpStatusCode.Created) accepted++;
            else
            {
                await response.IsProblemAsync(HttpStatusCode.TooManyRequests, RateLimits.Code);
                Assert.NotNull(response.Headers.RetryAfter);
                refusedOn.Add(name);
            }
        }
        // One refill a minute may land while the flood runs; two instances counting apart would accept twice the burst.
        Assert.InRange(accepted, SharedLimitApp.Burst, SharedLimitApp.Burst + 1);
        Assert.Equal(["A", "B"], refusedOn.Order());
    }

    [Fact]
    public async Task SignInsFromOneAddress_SplitAcrossTwoInstances_AreLimitedAsOne()
    {
        await using var b = a.Other();
        await b.InitializeAsync();
        var accepted = 0;
        for (var i = 0; i < 3 * SharedLimitApp.SignIns; i++)
        {
            using var client = (i % 2 == 0 ? a : b).Anonymous();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.77");
            using var response = await client.PostAsJsonAsync("/api/auth/login", new { email = "staff2@demo.board", password = DemoSeeder.Password });
            if (response.StatusCode == HttpStatusCode.OK) accepted++;
            else await response.IsProblemAsync(HttpStatusCode.TooManyRequests, RateLimits.Code);
        }
        Assert.Equal(SharedLimitApp.SignIns, accepted);
    }

    [Fact]
    public async Task HubConnectionsOfOneMember_SplitAcrossTwoInstances_MeetOneCap_AndADeadInstanceStopsCounting()
    {
        await using var b = a.Other();
        await b.InitializeAsync();
        var board = await a.FirstBoardAsync();
        using var onA = await a.SignInAsync("staff2");
        using var onB = await b.SignInAsync("staff2");
        await using var first = await onA.ConnectAsync();
        await using var second = await onB.ConnectAsync();
        await first.InvokeAsync("Watch", board.Id);
        await second.InvokeAsync("Watch", board.Id);

        // One connection on each instance: each instance alone is below the cap of two, together they are at it.
        Assert.False(await onA.CanWatchAsync(board.Id), "A served a third connection of a member holding one on A and one on B");
        Assert.False(await onB.CanWatchAsync(board.Id), "B served a third connection of a member holding one on A and one on B");
        using var other = await a.SignInAsync("ops1");
        Assert.True(await other.CanWatchAsync(board.Id), "another member was refused");

        // Closed on B, the place is free on A.
        await second.StopAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var usable = false;
        while (!usable && DateTime.UtcNow < deadline) usable = await onA.CanWatchAsync(board.Id);
        Assert.True(usable, "a connection closed on B did not free a place on A");

        // An instance that holds this member's other place: counted while its heartbeat is fresh, not once it has lapsed (kill -9).
        var redis = await ConnectionMultiplexer.ConnectAsync(RedisApp.Redis);
        await using (redis)
        {
            var db = redis.GetDatabase();
            RedisKey connections = $"{a.Prefix}:presence:connections:{onA.Member.Id:N}", alive = $"{a.Prefix}:presence:alive";
            await db.HashSetAsync(connections, "elsewhere", 1);
            await db.SortedSetAddAsync(alive, "elsewhere", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Assert.False(await onA.CanWatchAsync(board.Id), "a live instance's connection of the member was not counted");
            await db.SortedSetAddAsync(alive, "elsewhere", DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());
            Assert.True(await onA.CanWatchAsync(board.Id), "a dead instance's connection still held a place");
        }
    }
}
