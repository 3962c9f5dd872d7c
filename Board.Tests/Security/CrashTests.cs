using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Board.Web.Demo;
using Board.Web.Trail;
using Xunit.Abstractions;

namespace Board.Tests.Security;

/// <summary>
/// A real Board.Web process, killed with SIGKILL at random moments while 32 writers approve and webhooks are pending,
/// 20 times over. After each restart: every approval answered 200 is there, the trail verifies; at the end every
/// entry has reached the webhook receiver, a repeat only under the same delivery id.
/// </summary>
[Trait("Kind", "RealProcess")]
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Writers = 32;
    /// <summary>Approvers: each writes as one of them, on its own share of the proposals, so every (approver, proposal) pair has one writer.</summary>
    private const int Approvers = 8;
    private const int Kills = 20;
    private const int Proposals = 80;
    private const string AdminEmail = "crash-admin@crash.board";
    private const string Password = "Crash-admin-1!";
    private static readonly JsonSerializerOptions Json = BoardApp.Json;

    [Fact]
    public async Task KilledAtRandom_LosesNoAnsweredApproval_AndDeliversEveryWebhook()
    {
        var started = Stopwatch.StartNew();
        var folder = Directory.CreateTempSubdirectory("board-crash-").FullName;
        var port = FreePort();
        var random = new Random(20261125);
        await using var receiver = await WebhookReceiver.StartAsync();
        Server? server = null;
        try
        {
            server = await Server.StartAsync(folder, port);
            var baseAddress = new Uri($"http://127.0.0.1:{port}");
            var admin = await TokenAsync(baseAddress, AdminEmail, Password);
            using var adminClient = Client(baseAddress, admin);

            var board = await PostAsync<JsonElement>(adminClient, "/api/boards", new
            {
                name = "Crash board",
                policy = new { approvalsRequired = 5, approverRole = "operations", expiresAfterDays = 0 },
            });
            var boardId = board.GetProperty("id").GetGuid();
            await PostAsync<JsonElement>(adminClient, $"/api/boards/{boardId}/webhooks", new { url = receiver.Url.ToString(), secret = "a-receiver-secret-of-some-length" });
            var members = await Task.WhenAll(Enumerable.Range(0, Approvers).Select(async i =>
            {
                var email = $"approver{i}@crash.board";
                var created = await PostAsync<JsonElement>(adminClient, "/api/members", new { email, displayName = $"Approver {i}", password = DemoSeeder.Password, roles = new[] { "operations" } });
                return (Id: created.GetProperty("id").GetGuid(), Token: await TokenAsync(baseAddress, email, DemoSeeder.Password));
            }));
            var proposals = new List<Guid>();
            for (var i = 0; i < Proposals; i++)
                proposals.Add((await PostAsync<JsonElement>(adminClient, $"/api/boards/{boardId}/proposals", new { title = $"Crash proposal {i}", body = "" })).GetProperty("id").GetGuid());
            // Writer w approves as member w % 8, on the proposals whose index % 4 is w / 8.
            var shares = Enumerable.Range(0, Writers / Approvers).Select(g => proposals.Where((_, i) => i % (Writers / Approvers) == g).ToList()).ToList();
            output.WriteLine($"set up in {started.Elapsed.TotalSeconds:0.0} s");

            var answered = new ConcurrentBag<(Guid Member, Guid Proposal)>();
            var next = new int[Writers];
            for (var kill = 0; kill < Kills; kill++)
            {
                var running = server ?? await Server.StartAsync(folder, port);
                server = running;
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, Writers)
                    .Select(w => Task.Run(() => WriteAsync(baseAddress, members[w % Approvers], w, shares[w / Approvers], next, answered, stop.Token))).ToList();
                // A random moment once writes are landing: a cold process on a busy machine may need seconds for its first.
                var landed = answered.Count;
                var waiting = Stopwatch.StartNew();
                while (answered.Count == landed && waiting.Elapsed < TimeSpan.FromSeconds(20) && !writers.All(t => t.IsCompleted)) await Task.Delay(20);
                await Task.Delay(random.Next(0, 800));
                running.Kill();
                stop.Cancel();
                await Task.WhenAll(writers);
                running.Dispose();
                server = null;
            }
            output.WriteLine($"{Kills} kills, {answered.Count} approvals answered 200, after {started.Elapsed.TotalSeconds:0.0} s");
            Assert.True(answered.Count > Writers, $"only {answered.Count} approvals were answered");

            server = await Server.StartAsync(folder, port);
            var lost = new List<string>();
            foreach (var group in answered.GroupBy(a => a.Proposal))
            {
                var proposal = await adminClient.GetFromJsonAsync<JsonElement>($"/api/proposals/{group.Key}", Json);
                var approvers = proposal.GetProperty("approvals").EnumerateArray().Select(a => a.GetProperty("memberId").GetGuid()).ToHashSet();
                lost.AddRange(group.Where(a => !approvers.Contains(a.Member)).Select(a => $"{a.Member} on {a.Proposal}"));
            }
            Assert.True(lost.Count == 0, $"{lost.Count} approvals answered 200 are gone: {string.Join(", ", lost.Take(10))}");

            var verify = (await adminClient.GetFromJsonAsync<VerifyResult>("/api/audit/verify", Json))!;
            Assert.True(verify.Valid, verify.Problem);

            var seqs = await BoardSeqsAsync(adminClient, boardId);
            var everyOne = await receiver.WaitUntilAsync(calls => seqs.IsSubsetOf(calls.Select(SeqOf)), TimeSpan.FromSeconds(60));
            var received = receiver.Calls.ToList();
            Assert.True(everyOne, $"{seqs.Except(received.Select(SeqOf)).Count()} of {seqs.Count} entries never reached the receiver");
            var repeatedUnderAnotherId = received.GroupBy(SeqOf).Where(g => g.Select(c => c.Delivery).Distinct().Count() > 1).Select(g => g.Key).ToList();
            Assert.True(repeatedUnderAnotherId.Count == 0, $"entries delivered under two delivery ids: {string.Join(", ", repeatedUnderAnotherId.Take(10))}");
            output.WriteLine($"{seqs.Count} entries, {received.Count} deliveries received ({received.Count - seqs.Count} repeats), done in {started.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            server?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task WriteAsync(Uri baseAddress, (Guid Id, string Token) member, int w, List<Guid> proposals, int[] next,
        ConcurrentBag<(Guid, Guid)> answered, CancellationToken stop)
    {
        using var client = Client(baseAddress, member.Token);
        client.Timeout = TimeSpan.FromSeconds(10);
        while (!stop.IsCancellationRequested && next[w] < proposals.Count)
        {
            var proposal = proposals[next[w]];
            try
            {
                using var response = await client.PostAsync($"/api/proposals/{proposal}/approvals", null, stop);
                if (response.StatusCode == HttpStatusCode.OK) answered.Add((member.Id, proposal));
                else if (response.StatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable))
                    throw new InvalidOperationException($"approval answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(stop)}");
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable) next[w]++;
            }
            // A connection the dying server resets while it is being made can surface as a bare SocketException
            // (ENOTCONN from reading the socket's remote end point), not wrapped in an HttpRequestException.
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
            {
                return; // the server is gone; whether this one landed is unknown, and the next round asks again
            }
        }
    }

    private static long SeqOf(Received call) => JsonDocument.Parse(call.Body).RootElement.GetProperty("seq").GetInt64();

    private static async Task<HashSet<long>> BoardSeqsAsync(HttpClient client, Guid boardId)
    {
        var seqs = new HashSet<long>();
        long after = 0;
        while (true)
        {
            var page = (await client.GetFromJsonAsync<TrailPage>($"/api/audit?boardId={boardId}&after={after}&limit=500", Json))!;
            // The webhook was created before any proposal: everything after board.created is for it.
            seqs.UnionWith(page.Items.Where(e => e.Action is not ("board.created" or "webhook.created")).Select(e => e.Seq));
            if (page.Next is not { } n) return seqs;
            after = n;
        }
    }

    private static HttpClient Client(Uri baseAddress, string token)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string> TokenAsync(Uri baseAddress, string email, string password)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<T> PostAsync<T>(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>dotnet Board.Web.dll</c> as a child process on 127.0.0.1, its output kept in a file next to the database.</summary>
    private sealed class Server : IDisposable
    {
        private readonly Process _process;

        private Server(Process process) => _process = process;

        public static async Task<Server> StartAsync(string folder, int port)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = WebFolder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(WebDll);
            var environment = new Dictionary<string, string>(BoardApp.UnlimitedRates.ToDictionary(kv => kv.Key.Replace(":", "__"), kv => kv.Value))
            {
                // Development (webhooks to this machine's receiver), without the demo data: one admin, made from configuration.
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Demo__Seed"] = "false",
                ["Board__Admin__Email"] = AdminEmail,
                ["Board__Admin__Password"] = Password,
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ConnectionStrings__Board"] = $"Data Source={Path.Combine(folder, "board.db")}",
                ["Webhooks__FirstRetrySeconds"] = "0.2",
                ["Webhooks__MaxRetrySeconds"] = "1",
                ["Webhooks__PollMilliseconds"] = "100",
                ["Webhooks__TimeoutSeconds"] = "2",
                ["Webhooks__LeaseSeconds"] = "3",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            foreach (var (k, v) in environment) info.Environment[k] = v;
            var process = Process.Start(info)!;
            var log = new StreamWriter(Path.Combine(folder, "board-web.log"), append: true) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited) throw new InvalidOperationException($"Board.Web exited with {process.ExitCode}; see {folder}/board-web.log");
                try
                {
                    if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return new Server(process);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(50);
            }
            process.Kill();
            throw new TimeoutException("Board.Web did not answer /healthz within 60 s");
        }

        /// <summary>SIGKILL: no shutdown, no flush, no goodbye.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }

        private static string RepoRoot
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Board.sln"))) dir = dir.Parent;
                return dir?.FullName ?? throw new DirectoryNotFoundException("Board.sln not found above the test folder");
            }
        }

        private static string WebFolder => Path.Combine(RepoRoot, "Board.Web");

        /// <summary>Board.Web as built in the tests' own configuration (bin/Release/net10.0 beside bin/Release/net10.0).</summary>
        private static string WebDll
        {
            get
            {
                var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
                var path = Path.Combine(WebFolder, "bin", framework.Parent!.Name, framework.Name, "Board.Web.dll");
                return File.Exists(path) ? path : throw new FileNotFoundException("Build Board.Web first", path);
            }
        }
    }
}
