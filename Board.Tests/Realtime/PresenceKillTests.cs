using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Demo;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Realtime;

/// <summary>
/// Presence across two real processes on one PostgreSQL and one Redis: the list is the union over instances, and
/// after kill -9 of one instance its watchers leave the list the other instance sends, within 30 s.
/// </summary>
[Collection(BoardProcess.Collection)]
[Trait("Kind", "RealProcess")]
public sealed class PresenceKillTests
{
    [Fact]
    public async Task WatchersOfBothInstancesAreListedTogether_AndAKilledInstancesWatchersLeaveWithin30Seconds()
    {
        await using var db = await ScratchPostgres.CreateAsync();
        var settings = new Dictionary<string, string>(db.Settings)
        {
            ["SignalR__Redis"] = $"{RedisApp.Redis},channelPrefix=p{Guid.NewGuid():N}",
            ["Realtime__PollMilliseconds"] = "600000",
        };
        var a = await BoardProcess.StartAsync(settings);
        await using var b = await BoardProcess.StartAsync(settings);
        try
        {
            var onA = await a.LoginAsync("manager@demo.board", DemoSeeder.Password);
            var onB = await b.LoginAsync("staff1@demo.board", DemoSeeder.Password);
            using var client = b.Client(onB);
            var me = (await client.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetGuid();
            var boardId = (await client.GetFromJsonAsync<JsonElement>("/api/boards"))[0].GetProperty("id").GetGuid();
            using var managerClient = a.Client(onA);
            var manager = (await managerClient.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetGuid();

            var lists = new ConcurrentQueue<(TimeSpan At, HashSet<Guid> Members)>();
            var clock = Stopwatch.StartNew();
            await using var hubB = Connect(b, onB);
            hubB.On<JsonElement>("presence", p =>
            {
                if (p.GetProperty("boardId").GetGuid() != boardId) return;
                lists.Enqueue((clock.Elapsed, [.. p.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("id").GetGuid())]));
            });
            await hubB.StartAsync();
            await hubB.InvokeAsync("Watch", boardId);
            var hubA = Connect(a, onA);
            await hubA.StartAsync();
            await hubA.InvokeAsync("Watch", boardId);

            await WaitAsync(() => lists.Any(l => l.Members.Contains(me) && l.Members.Contains(manager)), TimeSpan.FromSeconds(15),
                "B never listed the watcher on A together with its own");

            a.KillHard();
            var killedAt = clock.Elapsed;
            await WaitAsync(() => lists.Any(l => l.At > killedAt && l.Members.Contains(me) && !l.Members.Contains(manager)), TimeSpan.FromSeconds(30),
                "the killed instance's watcher was still listed 30 s after kill -9");
            var dropped = lists.First(l => l.At > killedAt && !l.Members.Contains(manager)).At - killedAt;
            Assert.True(dropped < TimeSpan.FromSeconds(30), $"dropped after {dropped}");
            await hubA.DisposeAsync();
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    private static HubConnection Connect(BoardProcess instance, string token) => new HubConnectionBuilder()
        .WithUrl(new Uri(instance.Url, "/hubs/board"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
        .Build();

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit, string failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < limit, failure);
            await Task.Delay(100);
        }
    }
}
