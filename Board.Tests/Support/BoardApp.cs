using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Auth;
using Board.Web.Boards;
using Board.Web.Demo;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Board.Tests;

/// <summary>
/// The real app on Kestrel at 127.0.0.1 over a real SQLite file in a temp folder (or, in <see cref="PostgresBoardApp"/>,
/// a fresh PostgreSQL database), seeded with the demo data. One per test class (<c>IClassFixture</c>).
/// </summary>
public class BoardApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly bool _ownsFolder;

    public string Folder { get; }
    public string DatabasePath => Path.Combine(Folder, "board.db");

    /// <summary>The certificate that encrypts this app's sign-in key ring (Keys:DataProtectionCertificate): outside the database.</summary>
    public string KeyFile => Path.Combine(Folder, "keys", "dataprotection.pfx");

    private string EnsureKeyFile()
    {
        if (!File.Exists(KeyFile)) Board.Web.Keys.DataProtectionCertificate.CreateFile(KeyFile);
        return KeyFile;
    }
    public string TrailKeyPath => Path.Combine(Folder, "trail-signing.key");
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The PostgreSQL database this app runs on, or null on SQLite.</summary>
    public string? PostgresDatabase { get; }

    /// <summary>The database as the app sees it (provider and connection string).</summary>
    public BoardDatabase Database => PostgresDatabase is { } name
        ? BoardDatabase.Of(DatabaseProvider.Postgres, TestPostgres.ConnectionString(name), "")
        : BoardDatabase.Of(DatabaseProvider.Sqlite, $"Data Source={DatabasePath}", Folder);

    /// <summary>The settings that point a Board process at this app's database (and its key-ring certificate).</summary>
    public IDictionary<string, string> DatabaseSettings => new Dictionary<string, string>
    {
        ["Keys__DataProtectionCertificate"] = EnsureKeyFile(),
        ["Database__Provider"] = Database.Provider.ToString(),
        ["ConnectionStrings__Board"] = PostgresDatabase is null ? $"Data Source={DatabasePath}" : Database.ConnectionString,
    };

    /// <summary>Rate limits high enough never to be met by a test that is not about them.</summary>
    public static readonly IReadOnlyDictionary<string, string> UnlimitedRates = new Dictionary<string, string>
    {
        ["RateLimits:SignInPerAddress"] = "1000000",
        ["RateLimits:SignInPerAccount"] = "1000000",
        ["RateLimits:WritesPerMinute"] = "1000000",
        ["RateLimits:WriteBurst"] = "1000000",
        ["RateLimits:PreviewsPerMinute"] = "1000000",
        ["RateLimits:PreviewBurst"] = "1000000",
    };

    /// <summary>Set by a subclass to run the app on a fake clock.</summary>
    protected virtual FakeTimeProvider? Clock => null;

    /// <summary>Extra configuration for a subclass.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public BoardApp() : this(Directory.CreateTempSubdirectory("board-tests-").FullName, ownsFolder: true) { }

    /// <summary>
    /// An app over the database in <paramref name="folder"/>, left in place on dispose unless owned (a restart
    /// reopens it), on <paramref name="port"/> (0 = any free port; a fixed one lets a test restart "the same" server).
    /// </summary>
    protected BoardApp(string folder, bool ownsFolder = false, int port = 0, string? postgresDatabase = null)
    {
        Folder = folder;
        _ownsFolder = ownsFolder;
        PostgresDatabase = postgresDatabase;
        UseKestrel(o => o.Listen(IPAddress.Loopback, port));
    }

    /// <summary>A second instance of the app on this app's database: the scale-out case.</summary>
    public BoardApp SecondInstance() => new SharedDatabaseApp(Folder, PostgresDatabase);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", Database.Provider.ToString());
        builder.UseSetting("ConnectionStrings:Board", PostgresDatabase is null ? $"Data Source={DatabasePath}" : Database.ConnectionString);
        builder.UseSetting("Realtime:PollMilliseconds", "250");
        // The key-ring certificate next to this app's database (a second instance shares it), made here so that apps
        // started as Production have one too.
        builder.UseSetting(Board.Web.Keys.DataProtectionCertificate.Setting, EnsureKeyFile());
        // The trail key lives next to the database in the test's folder, made once, as an operator would (any environment).
        if (!File.Exists(TrailKeyPath)) File.WriteAllText(TrailKeyPath, Board.Web.Trail.TrailKey.Generate("board.test/trail"));
        builder.UseSetting(Board.Web.Trail.TrailKeySetup.Setting, TrailKeyPath);
        // Tests sign in and write far faster than people do; the limits have their own tests, which set them low again.
        foreach (var (key, value) in UnlimitedRates) builder.UseSetting(key, value);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            // Demo passwords hashed quickly: the tests sign in dozens of times.
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
            if (Clock is { } clock)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(clock);
            }
        });
    }

    public virtual async ValueTask InitializeAsync()
    {
        if (PostgresDatabase is { } name && _ownsFolder) await TestPostgres.CreateDatabaseAsync(name);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First());
    }

    async Task IAsyncLifetime.InitializeAsync() => await InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_ownsFolder) return;
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        if (PostgresDatabase is { } name) await TestPostgres.DropDatabaseAsync(name);
    }

    /// <summary>An HTTP client with no credentials.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    /// <summary>Signs in a demo member (<c>staff1</c>, <c>ops2</c>, <c>admin</c>…) and returns a client carrying its bearer token.</summary>
    public async Task<Session> SignInAsync(string who, string password = DemoSeeder.Password)
    {
        var email = who.Contains('@') ? who : $"{who}@demo.board";
        using var anonymous = Anonymous();
        var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var login = (await response.Content.ReadFromJsonAsync<LoginResponse>(Json))!;
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.AccessToken);
        return new Session(this, login.Member, login.AccessToken, client);
    }

    /// <summary>Each of <paramref name="approvers"/> (ops1, ops2, ops3 unless named) approves, and every approval is accepted.</summary>
    public async Task ApproveAsAsync(Guid proposalId, params string[] approvers)
    {
        foreach (var who in approvers.Length > 0 ? approvers : ["ops1", "ops2", "ops3"])
        {
            using var session = await SignInAsync(who);
            Assert.Equal(HttpStatusCode.OK, (await session.ApproveAsync(proposalId)).StatusCode);
        }
    }

    public async Task<BoardDto> FirstBoardAsync()
    {
        using var session = await SignInAsync("staff1");
        return (await session.Client.GetFromJsonAsync<List<BoardDto>>("/api/boards", Json))![0];
    }
}

file sealed class SharedDatabaseApp(string folder, string? postgresDatabase) : BoardApp(folder, postgresDatabase: postgresDatabase);

/// <summary>The app on a fresh PostgreSQL database of its own (created from <c>BOARD_TEST_POSTGRES</c>, dropped at the end).</summary>
public class PostgresBoardApp() : BoardApp(Directory.CreateTempSubdirectory("board-tests-").FullName, ownsFolder: true, postgresDatabase: TestPostgres.NewName());

/// <summary>A signed-in member: their HTTP client, token and a way onto the hub.</summary>
public sealed record Session(BoardApp App, MemberDto Member, string Token, HttpClient Client) : IDisposable
{
    public async Task<ProposalDto> PostAsync(Guid boardId, string title = "Add a basket return by till 1", string body = "Weekend queues are blocked by baskets.")
    {
        var response = await Client.PostAsJsonAsync($"/api/boards/{boardId}/proposals", new { title, body });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
    }

    public Task<HttpResponseMessage> ApproveAsync(Guid proposalId) =>
        Client.PostAsync($"/api/proposals/{proposalId}/approvals", null);

    public async Task<ProposalDto> GetAsync(Guid proposalId) =>
        (await Client.GetFromJsonAsync<ProposalDto>($"/api/proposals/{proposalId}", BoardApp.Json))!;

    /// <summary>A started hub connection authenticated with this member's token.</summary>
    public async Task<HubConnection> ConnectAsync()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(App.BaseAddress, "/hubs/board"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(Token))
            .Build();
        await connection.StartAsync();
        return connection;
    }

    /// <summary>Whether a new hub connection of this member can start and watch the board (it is closed again after).</summary>
    public async Task<bool> CanWatchAsync(Guid boardId)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(App.BaseAddress, "/hubs/board"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(Token))
            .Build();
        try
        {
            await connection.StartAsync();
            await connection.InvokeAsync("Watch", boardId).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or TaskCanceledException or TimeoutException or HttpRequestException or IOException)
        {
            return false;
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    public void Dispose() => Client.Dispose();
}

public static class ProblemAssert
{
    /// <summary>Asserts a problem response with <paramref name="status"/> and <paramref name="code"/>.</summary>
    public static async Task<JsonElement> IsProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
