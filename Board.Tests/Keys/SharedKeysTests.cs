using System.Net;
using System.Net.Http.Json;
using Board.Web.Demo;

namespace Board.Tests.Keys;

/// <summary>
/// Sign-in keys live in the database: a bearer token or cookie issued by one instance is honoured by another,
/// and by both after they restart.
/// </summary>
[Collection(BoardProcess.Collection)]
[Trait("Kind", "RealProcess")]
public sealed class SharedKeysTests
{
    [Fact]
    public async Task TokenAndCookieFromA_AreHonouredByB_AndByBothAfterARestart()
    {
        await using var db = await ScratchPostgres.CreateAsync();
        // Started at once on the empty database: one migrates, one makes the first key, one seeds; the other waits.
        var (a, b) = await StartBothAsync(db.Settings);
        string token, cookie;
        try
        {
            token = await a.LoginAsync("staff1@demo.board", DemoSeeder.Password);
            cookie = await CookieFromAsync(a);
            await AssertSignedInAsync(b, token, cookie);
            await AssertSignedInAsync(a, token, cookie);

            // The control: what B refuses is refused, so the 200s above mean something.
            using var forged = b.Client(token[..^4] + "AAAA");
            Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/me")).StatusCode);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }

        await using var a2 = await BoardProcess.StartAsync(db.Settings);
        await using var b2 = await BoardProcess.StartAsync(db.Settings);
        await AssertSignedInAsync(a2, token, cookie);
        await AssertSignedInAsync(b2, token, cookie);
    }

    private static async Task<(BoardProcess, BoardProcess)> StartBothAsync(Dictionary<string, string> settings)
    {
        var starting = new[] { BoardProcess.StartAsync(settings), BoardProcess.StartAsync(settings) };
        try
        {
            var both = await Task.WhenAll(starting);
            return (both[0], both[1]);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully)) await (await started).DisposeAsync();
            throw;
        }
    }

    private static async Task<string> CookieFromAsync(BoardProcess instance)
    {
        using var client = instance.Client();
        var response = await client.PostAsync("/api/auth/login", JsonContent.Create(new { email = "staff1@demo.board", password = DemoSeeder.Password }));
        response.EnsureSuccessStatusCode();
        var setCookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("board.auth=", StringComparison.Ordinal));
        return setCookie.Split(';')[0];
    }

    private static async Task AssertSignedInAsync(BoardProcess instance, string token, string cookie)
    {
        using var bearer = instance.Client(token);
        var me = await bearer.GetAsync("/api/me");
        Assert.True(me.StatusCode == HttpStatusCode.OK, $"bearer on {instance.Url}: {(int)me.StatusCode}");
        using var browser = instance.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("Cookie", cookie);
        var viaCookie = await browser.SendAsync(request);
        Assert.True(viaCookie.StatusCode == HttpStatusCode.OK, $"cookie on {instance.Url}: {(int)viaCookie.StatusCode}");
    }
}

/// <summary>A setting that keeps Board from starting is named in one line, not buried in a stack trace.</summary>
[Trait("Kind", "RealProcess")]
public sealed class StartupErrorTests
{
    [Theory]
    [InlineData("Oracle", "Data Source=x.db", "Database:Provider")]
    [InlineData("Postgres", "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=board;Timeout=3", "ConnectionStrings:Board")]
    [InlineData("Postgres", "", "ConnectionStrings:Board")]
    [InlineData("Postgres", "this is not=a connection;string", "ConnectionStrings:Board")]
    public async Task BadDatabaseSetting_StopsTheProcess_WithOneLineNamingTheKey(string provider, string connection, string key)
    {
        await using var process = await BoardProcess.StartAsync(new Dictionary<string, string>
        {
            ["Database__Provider"] = provider,
            ["ConnectionStrings__Board"] = connection,
        }, waitUntilHealthy: false);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exit);
        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("Board cannot start:", StringComparison.Ordinal) && l.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", process.Output);
    }

    [Theory]
    [InlineData("127.0.0.1:6379,notakeyword=1")]
    [InlineData("abortConnect=maybe")]
    [InlineData("password=only")]
    public async Task MalformedRedisSetting_StopsTheProcess_WithOneLineNamingTheKey(string redis)
    {
        await using var process = await BoardProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Board"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"board-redis-{Guid.NewGuid():N}.db")}",
            ["SignalR__Redis"] = redis,
        }, waitUntilHealthy: false);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exit);
        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("Board cannot start: SignalR:Redis", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", process.Output);
    }
}
