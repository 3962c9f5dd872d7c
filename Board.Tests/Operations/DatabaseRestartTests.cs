using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Tests.Operations;
using Board.Web.Demo;
using Board.Web.Persistence;
using Board.Web.Trail;
using Npgsql;
using Xunit.Abstractions;

namespace Board.Tests.Operations;

/// <summary>
/// <c>pg_ctl restart -m fast</c> of a PostgreSQL of the test's own while approvals flow through two instances: every
/// answer is 200, 409 or 503 with <c>Retry-After</c> (never 500), every approval answered 200 is stored, no proposal
/// executes twice, and both instances are ready again by themselves.
/// </summary>
[Collection(BoardProcess.Collection)]
[Trait("Kind", "RealProcess")]
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    private const int Proposals = 400;
    private const int Approvers = 4;
    private const int Quorum = 3;

    [Fact]
    public async Task PostgresRestartedUnderWriteLoad_AnswersNo500_LosesNoAcknowledgedApproval_ExecutesNothingTwice_AndRecoversByItself()
    {
        PostgresServer.RequireBinaries();
        var clock = Stopwatch.StartNew();
        await using var postgres = new PostgresServer();
        await postgres.InitAsync();
        var connectionString = postgres.ConnectionString("board_restart");
        var settings = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Board"] = connectionString,
            ["Realtime__PollMilliseconds"] = "250",
        };
        await using var a = await BoardProcess.StartAsync(settings);
        await using var b = await BoardProcess.StartAsync(settings);
        output.WriteLine($"cluster and two instances up in {clock.Elapsed.TotalSeconds:0.0} s");

        var adminToken = await a.LoginAsync("admin@demo.board", DemoSeeder.Password);
        using var admin = a.Client(adminToken);
        var created = await admin.PostAsJsonAsync("/api/boards",
            new { name = "Restart", policy = new { approvalsRequired = Quorum, approverRole = "operations", expiresAfterDays = 0 } });
        var boardId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var approvers = new (Guid Id, HttpClient OnA, HttpClient OnB)[Approvers];
        for (var i = 0; i < Approvers; i++)
        {
            var email = $"restart-ops{i}@test.board";
            var member = await admin.PostAsJsonAsync("/api/members",
                new { email, displayName = $"Restart ops {i}", password = "Restart!pass1", roles = new[] { "operations" } });
            var id = (await member.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            approvers[i] = (id, a.Client(await a.LoginAsync(email, "Restart!pass1")), b.Client(await b.LoginAsync(email, "Restart!pass1")));
        }
        var ids = await ScratchPostgres.PostProposalsAsync(connectionString, boardId, "staff1@demo.board", Proposals);

        var acknowledged = new ConcurrentBag<(Guid Proposal, Guid Member)>();
        var answers = new ConcurrentDictionary<string, int>();
        var load = Stopwatch.StartNew();
        var restart = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            output.WriteLine($"restart at {load.Elapsed.TotalSeconds:0.0} s");
            await postgres.RestartFastAsync();
            output.WriteLine($"restarted at {load.Elapsed.TotalSeconds:0.0} s");
        });
        await Parallel.ForAsync(0, Proposals * Approvers, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (n, ct) =>
        {
            if (restart.IsCompleted && load.Elapsed > TimeSpan.FromSeconds(12)) return;
            var (j, k) = (n / Approvers, n % Approvers);
            var client = (j + k) % 2 == 0 ? approvers[k].OnA : approvers[k].OnB;
            using var response = await client.PostAsync($"/api/proposals/{ids[j]}/approvals", null, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var code = response.IsSuccessStatusCode ? "" : JsonDocument.Parse(body).RootElement.GetProperty("code").GetString();
            answers.AddOrUpdate($"{(int)response.StatusCode} {code}".Trim(), 1, (_, c) => c + 1);
            if (response.StatusCode == HttpStatusCode.OK) acknowledged.Add((ids[j], approvers[k].Id));
            else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                Assert.True(response.Headers.RetryAfter is not null, $"503 without Retry-After: {body}");
            else Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {body}");
        });
        await restart;
        output.WriteLine($"answers: {string.Join(", ", answers.OrderBy(p => p.Key).Select(p => $"{p.Key} ×{p.Value}"))}");
        Assert.DoesNotContain(answers.Keys, key => key.StartsWith('5') && !key.StartsWith("503", StringComparison.Ordinal));
        Assert.True(acknowledged.Count > 50, $"only {acknowledged.Count} approvals were answered 200");

        // Both instances are ready again without a restart of their own.
        foreach (var instance in new[] { a, b })
        {
            using var http = instance.Client();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpStatusCode status;
            while ((status = (await http.GetAsync("/healthz/ready")).StatusCode) != HttpStatusCode.OK && DateTime.UtcNow < deadline) await Task.Delay(250);
            Assert.Equal(HttpStatusCode.OK, status);
            using var approver = instance.Client(await instance.LoginAsync("restart-ops0@test.board", "Restart!pass1"));
            Assert.Equal(HttpStatusCode.OK, (await approver.GetAsync($"/api/boards/{boardId}")).StatusCode);
        }
        Assert.False(a.HasExited || b.HasExited);

        // Nothing acknowledged is lost; nothing executed twice; the trail is whole.
        var stored = new HashSet<(Guid, Guid)>();
        NpgsqlConnection.ClearAllPools(); // this test's own connections from before the restart are gone
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""SELECT "ProposalId", "MemberId" FROM approvals""", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) stored.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }
        Assert.All(acknowledged, pair => Assert.Contains(pair, stored));
        var database = BoardDatabase.Of(DatabaseProvider.Postgres, connectionString, "");
        var entries = new List<AuditEntry>();
        await using (var snapshot = await TrailSnapshot.OpenAsync(database, default))
            await foreach (var e in TrailReader.ReadAsync(snapshot, TrailFilter.All, long.MaxValue, default)) entries.Add(e);
        Assert.All(entries.Where(e => e.Action == TrailActions.ProposalExecuted).GroupBy(e => e.ProposalId), g => Assert.Single(g));
        Assert.All(entries.Where(e => e.Action == TrailActions.ApprovalAdded).GroupBy(e => (e.ProposalId, e.ActorId)), g => Assert.Single(g));
        var verify = await TrailVerifier.VerifyAsync(database, null, default);
        Assert.True(verify.Valid, verify.Problem);
        foreach (var (_, onA, onB) in approvers)
        {
            onA.Dispose();
            onB.Dispose();
        }
        output.WriteLine($"done in {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
