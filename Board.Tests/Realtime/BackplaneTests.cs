using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Board.Web.Auth;
using Board.Web.Realtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Board.Tests.Realtime;

/// <summary>
/// Two instances of the app on one SQLite file and one real Redis (<c>BOARD_TEST_REDIS</c>), with polling for other
/// instances' commits put off for ten minutes: whatever crosses from one instance to the other crossed Redis.
/// </summary>
public class RedisApp : BoardApp
{
    private readonly string _prefix;

    /// <summary>Stops this instance's presence writes and heartbeats, as a killed process would.</summary>
    public PresenceKillSwitch Kill { get; } = new();

    public RedisApp() : this(null, null) { }

    private RedisApp(string? folder, string? prefix) : base(folder ?? Directory.CreateTempSubdirectory("board-tests-").FullName, ownsFolder: folder is null) =>
        _prefix = prefix ?? $"t{Guid.NewGuid():N}";

    public static string Redis => Environment.GetEnvironmentVariable("BOARD_TEST_REDIS") is { Length: > 0 } redis ? redis
        : throw new InvalidOperationException("BOARD_TEST_REDIS is not set: start Redis with scripts/services.sh start and export the settings it prints (.ci/run does).");

    /// <summary>Another instance on the same database file and the same Redis.</summary>
    public RedisApp Other() => new(Folder, _prefix);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // A channel prefix of its own keeps test classes that share one Redis apart.
        [RealtimeSetup.RedisKey] = $"{Redis},channelPrefix={_prefix}",
        ["Realtime:PollMilliseconds"] = "600000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton(Kill);
            services.Decorate<IPresenceStore>((inner, sp) => new KillablePresenceStore(inner, sp.GetRequiredService<PresenceKillSwitch>()));
        });
    }
}

public sealed class PresenceKillSwitch
{
    public volatile bool Killed;
}

/// <summary>The instance's presence store until <see cref="PresenceKillSwitch.Killed"/>; then silence, as after kill -9.</summary>
file sealed class KillablePresenceStore(IPresenceStore inner, PresenceKillSwitch kill) : IPresenceStore
{
    public bool Shared => inner.Shared;

    public Task PublishAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct) =>
        kill.Killed ? Task.CompletedTask : inner.PublishAsync(boardId, here, ct);

    public Task<IReadOnlyCollection<PersonDto>> ListAsync(Guid boardId, IReadOnlyCollection<PersonDto> here, CancellationToken ct) =>
        inner.ListAsync(boardId, here, ct);

    public Task<IReadOnlyCollection<Guid>> KeepAliveAsync(IReadOnlyCollection<Guid> boardsHere, CancellationToken ct) =>
        kill.Killed ? Task.FromResult<IReadOnlyCollection<Guid>>([]) : inner.KeepAliveAsync(boardsHere, ct);

    public Task LeaveAsync(CancellationToken ct) => kill.Killed ? Task.CompletedTask : inner.LeaveAsync(ct);

    public Task<bool?> TryHoldConnectionAsync(Guid memberId, int max, CancellationToken ct) => inner.TryHoldConnectionAsync(memberId, max, ct);

    public Task ReleaseConnectionAsync(Guid memberId, CancellationToken ct) =>
        kill.Killed ? Task.CompletedTask : inner.ReleaseConnectionAsync(memberId, ct);
}

file static class DecorateExtension
{
    public static void Decorate<T>(this IServiceCollection services, Func<T, IServiceProvider, T> wrap) where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(original);
        services.AddSingleton(sp => wrap((T)ActivatorUtilities.GetServiceOrCreateInstance(sp, original.ImplementationType!), sp));
    }
}

[Trait("Kind", "Api")]
public sealed class BackplaneTests(RedisApp first) : IClassFixture<RedisApp>
{
    [Fact]
    public async Task DecisionOnOneInstance_ReachesAWatcherOnTheOther_WithinASecond_ThroughRedis()
    {
        await using var second = first.Other();
        await ((IAsyncLifetime)second).InitializeAsync();
        var board = await first.FirstBoardAsync();
        using var watcher = await second.SignInAsync("manager");
        await using var hub = await watcher.ConnectAsync();
        var arrived = new ConcurrentDictionary<string, (CommitDto Commit, long At)>();
        hub.On<CommitDto>("commit", c => { foreach (var e in c.Entries) arrived.TryAdd($"{e.ProposalId}/{e.Action}", (c, Stopwatch.GetTimestamp())); });
        await hub.InvokeAsync("Watch", board.Id);

        using var author = await first.SignInAsync("staff1");
        var proposal = await author.PostAsync(board.Id, "Decided on A, seen on B");
        using var ops1 = await first.SignInAsync("ops1");
        using var ops2 = await first.SignInAsync("ops2");
        using var ops3 = await first.SignInAsync("ops3");
        Assert.Equal(HttpStatusCode.OK, (await ops1.ApproveAsync(proposal.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops2.ApproveAsync(proposal.Id)).StatusCode);
        var decided = Stopwatch.GetTimestamp();
        Assert.Equal(HttpStatusCode.OK, (await ops3.ApproveAsync(proposal.Id)).StatusCode);

        var key = $"{proposal.Id}/proposal.executed";
        for (var i = 0; i < 50 && !arrived.ContainsKey(key); i++) await Task.Delay(20);
        Assert.True(arrived.TryGetValue(key, out var executed), "the watcher on B never heard of the decision made on A");
        var travel = Stopwatch.GetElapsedTime(decided, executed.At);
        Assert.True(travel < TimeSpan.FromSeconds(1), $"proposal.executed reached B {travel.TotalMilliseconds:F0} ms after the approval was sent to A");
        Assert.Equal("executed", executed.Commit.Proposal!.Status);
        Assert.Equal(["approval.added", "proposal.executed"], executed.Commit.Entries.Select(e => e.Action));
        // Posted on A too: every commit crossed, each once.
        Assert.True(arrived.ContainsKey($"{proposal.Id}/proposal.posted"));
    }

    [Fact]
    public async Task TheAuthorsBell_RingsOnTheOtherInstance_WithoutWatchingTheBoard()
    {
        await using var second = first.Other();
        await ((IAsyncLifetime)second).InitializeAsync();
        using var admin = await first.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 1);
        using var authorOnA = await first.SignInAsync("staff3");
        var proposal = await authorOnA.PostAsync(board.Id, "Decided on A, the author's bell rings on B");
        using var authorOnB = await second.SignInAsync("staff3");
        await using var hub = await authorOnB.ConnectAsync();
        var heard = new TaskCompletionSource<CommitDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<CommitDto>("commit", c => { if (c.Entries.Any(e => e.ProposalId == proposal.Id && e.Action == "proposal.executed")) heard.TrySetResult(c); });
        // A hub call is served only after OnConnectedAsync has run, so the member group is joined once it returns.
        await hub.InvokeAsync("UnwatchTrail");

        using var ops = await first.SignInAsync("ops1");
        Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(proposal.Id)).StatusCode);
        var commit = await heard.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(authorOnB.Member.Id, commit.Proposal!.Author.Id);
    }

    [Fact]
    public async Task Presence_ListsWatchersOfBothInstances_AndForgetsAKilledInstancesWithin30Seconds()
    {
        var second = first.Other();
        await ((IAsyncLifetime)second).InitializeAsync();
        try
        {
            var board = await first.FirstBoardAsync();
            using var onA = await first.SignInAsync("staff2");
            using var onB = await second.SignInAsync("ops4");
            await using var hubA = await onA.ConnectAsync();
            var lists = new ConcurrentQueue<PresenceDto>();
            hubA.On<PresenceDto>("presence", p => { if (p.BoardId == board.Id) lists.Enqueue(p); });
            await hubA.InvokeAsync("Watch", board.Id);
            await using var hubB = await onB.ConnectAsync();
            await hubB.InvokeAsync("Watch", board.Id);

            bool Both(PresenceDto p) => p.Members.Any(m => m.Id == onA.Member.Id) && p.Members.Any(m => m.Id == onB.Member.Id);
            await WaitAsync(() => lists.Any(Both), TimeSpan.FromSeconds(5), "the watcher on A never saw both instances' watchers listed together");

            // B goes silent in Redis at once, as a killed process does: no goodbye, no more heartbeats. Its watcher stays connected to it.
            second.Kill.Killed = true;
            var killed = Stopwatch.StartNew();
            lists.Clear();
            await WaitAsync(() => lists.Any(p => p.Members.Any(m => m.Id == onA.Member.Id) && p.Members.All(m => m.Id != onB.Member.Id)),
                TimeSpan.FromSeconds(30), "B's watcher was still listed 30 s after B went silent");
            Assert.True(killed.Elapsed > RedisPresenceStore.Expiry - TimeSpan.FromSeconds(1), $"dropped after {killed.Elapsed}: before B could have expired");
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan limit, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < limit, failure);
            await Task.Delay(50);
        }
    }
}

[Trait("Kind", "Domain")]
public sealed class RedisConfigurationTests
{
    [Theory]
    [InlineData("127.0.0.1:6379,notakeyword=1")]
    [InlineData("abortConnect=maybe")]
    public void MalformedRedisString_StopsTheStart_NamingTheKey(string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [RealtimeSetup.RedisKey] = value }).Build();
        var error = Assert.Throws<Board.Web.Hosting.SettingException>(() => RealtimeSetup.RedisOptions(configuration));
        Assert.Contains(RealtimeSetup.RedisKey, error.Message);
    }
}
