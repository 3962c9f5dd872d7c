using System.Text.Json;

namespace Board.Bench;

/// <summary>The members, tokens and boards a run needs, made through the public API as a client would.</summary>
public sealed class BenchSetup
{
    public const string Password = "Bench!pass1";
    public const string Body = "The cold aisle runs out by 8:40 on weekdays.\n\n- move the delivery to 7:30\n- **two** pallets, not one\n\nSee [the sheet](https://example.org/sheet).";

    public required string AdminToken { get; init; }
    public required string AuthorToken { get; init; }
    public required string WatcherToken { get; init; }
    public required IReadOnlyList<string> ApproverTokens { get; init; }
    public required Guid TravelBoardId { get; init; }
    public required Guid ApprovalsBoardId { get; init; }

    public static async Task<BenchSetup> CreateAsync(BoardApi api, BenchOptions options, CancellationToken ct)
    {
        var admin = await api.LoginAsync(options.AdminEmail, options.AdminPassword, ct);
        var run = Guid.NewGuid().ToString("N")[..8];

        async Task<string> Member(string name, string role)
        {
            var email = $"{name}-{run}@bench.board";
            await api.SendAsync(HttpMethod.Post, "/api/members", admin, new { email, displayName = $"{name} {run}", password = Password, roles = new[] { role } }, ct);
            return await api.LoginAsync(email, Password, ct);
        }

        var author = await Member("author", "staff");
        var watcher = await Member("watcher", "staff");
        var approvers = new string[options.Approvers];
        // Identity hashes each password with PBKDF2: a few at a time keeps setup short without starving the server.
        await Parallel.ForAsync(0, approvers.Length, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (i, c) => approvers[i] = await Member($"op{i:D2}", "operations"));

        async Task<Guid> NewBoard(string name)
        {
            var b = await api.SendAsync(HttpMethod.Post, "/api/boards", admin,
                new { name = $"{name} {run}", policy = new { approvalsRequired = 3, approverRole = "operations", expiresAfterDays = 0 } }, ct);
            return b.GetProperty("id").GetGuid();
        }

        return new BenchSetup
        {
            AdminToken = admin, AuthorToken = author, WatcherToken = watcher, ApproverTokens = approvers,
            TravelBoardId = await NewBoard("Travel"), ApprovalsBoardId = await NewBoard("Approvals"),
        };
    }

    public static Guid IdOf(JsonElement e) => e.GetProperty("id").GetGuid();
}
