namespace Board.Bench;

/// <summary>What one run measures, and how much of it. Every loop below is bounded by these counts and by time.</summary>
public sealed record BenchOptions
{
    public bool Quick { get; init; }

    /// <summary>Keep the work folder (the server's log, its database) after the run (<c>--keep</c>), to look into a figure.</summary>
    public bool Keep { get; init; }
    public Uri? Url { get; init; }
    public string AdminEmail { get; init; } = "bench-admin@bench.board";
    public string AdminPassword { get; init; } = "Bench!admin1";
    public IReadOnlyList<int> Watchers { get; init; } = [100, 1000, 5000];
    public int Decisions { get; init; } = 100;
    public int IdleWatchers { get; init; } = 20_000;
    public int Approvers { get; init; } = 32;
    // Enough that 32 approvers at ~1,000 approvals/s do not run out in 15 s (24,000 approvals at most).
    public int ApprovalProposals { get; init; } = 8000;
    public TimeSpan ApprovalsFor { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Untimed approvals before each timed run of Board and of each floor (<c>--approvals-warmup SECONDS</c>).</summary>
    public TimeSpan ApprovalsWarmup { get; init; } = TimeSpan.FromSeconds(15);
    public int TrailEntries { get; init; } = 1_000_000;
    /// <summary>(5b) the trail sizes the same reads are timed at (<c>--scale 10000,100000,1000000</c>).</summary>
    public IReadOnlyList<long> ScaleSizes { get; init; } = [10_000, 100_000, 1_000_000];
    /// <summary>(6) distinct members joining one board, each with their own account and sign-in.</summary>
    public int Members { get; init; } = 5000;
    /// <summary><c>--members-prep direct|api</c>: how (6) makes its accounts and tokens (see DirectMembers); api with <c>--url</c>.</summary>
    public string MembersPrep { get; init; } = "direct";
    /// <summary>(7) phone-sized photos uploaded one after another, each timed until another member's board shows it.</summary>
    public int PhotoUploads { get; init; } = 20;
    public HashSet<string> Skip { get; init; } = [];
    public string? OutDir { get; init; }
    /// <summary>Extra environment for the Board.Web process (<c>--server-env Key=Value</c>), for experiments.</summary>
    public Dictionary<string, string> ServerEnvironment { get; init; } = [];
    /// <summary><c>--provider sqlite|postgres</c>: the database of the Board.Web processes the bench starts.</summary>
    public string Provider { get; init; } = "sqlite";
    /// <summary><c>--instances N</c> Board.Web processes on one database: the approvers are spread over them, and so are the watchers.</summary>
    public int Instances { get; init; } = 1;
    /// <summary><c>--postgres CONN</c>: a server where the bench may CREATE DATABASE; defaults to BOARD_TEST_POSTGRES.</summary>
    public string? Postgres { get; init; } = Environment.GetEnvironmentVariable("BOARD_TEST_POSTGRES");
    /// <summary>A Redis for the backplane (<c>--redis host:port</c>): every Board.Web started gets it as <c>SignalR:Redis</c>.</summary>
    public string? Redis { get; init; }

    /// <summary>
    /// <c>--repeat N</c> (1–5): travel and approvals (with their floors) run N times; the run with the median ratio is
    /// the one reported and judged against the goals, and every run is listed in the notes.
    /// </summary>
    public int Repeat { get; init; } = 1;

    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var o = quick
            ? new BenchOptions
            {
                Quick = true, Watchers = [20, 100], Decisions = 8, IdleWatchers = 200, Approvers = 8, ApprovalProposals = 48,
                ApprovalsFor = TimeSpan.FromSeconds(4), ApprovalsWarmup = TimeSpan.FromSeconds(1), TrailEntries = 10_000, Members = 100, PhotoUploads = 3, ScaleSizes = [1_000, 10_000],
            }
            : new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--quick" => o,
                "--keep" => o with { Keep = true },
                "--url" => o with { Url = new Uri(Next().TrimEnd('/')) },
                "--admin-email" => o with { AdminEmail = Next() },
                "--admin-password" => o with { AdminPassword = Next() },
                "--watchers" => o with { Watchers = [.. Next().Split(',').Select(int.Parse)] },
                "--decisions" => o with { Decisions = int.Parse(Next()) },
                "--idle" => o with { IdleWatchers = Math.Min(int.Parse(Next()), 20_000) },
                "--approvers" => o with { Approvers = int.Parse(Next()) },
                "--proposals" => o with { ApprovalProposals = int.Parse(Next()) },
                "--approvals-seconds" => o with { ApprovalsFor = TimeSpan.FromSeconds(double.Parse(Next())) },
                "--approvals-warmup" => o with { ApprovalsWarmup = TimeSpan.FromSeconds(double.Parse(Next())) },
                "--trail" => o with { TrailEntries = int.Parse(Next()) },
                "--scale" => o with { ScaleSizes = [.. Next().Split(',').Select(long.Parse).Order()] },
                "--members-prep" => o with { MembersPrep = Next() switch { "direct" => "direct", "api" => "api", _ => throw new ArgumentException("--members-prep is direct or api") } },
                "--members" => o with { Members = Math.Clamp(int.Parse(Next()), 1, 10_000) },
                "--photos" => o with { PhotoUploads = Math.Clamp(int.Parse(Next()), 1, 200) },
                "--skip" => o with { Skip = [.. Next().Split(',')] },
                "--out" => o with { OutDir = Next() },
                "--provider" => o with { Provider = Next().ToLowerInvariant() switch { "sqlite" => "sqlite", "postgres" => "postgres", _ => throw new ArgumentException("--provider is sqlite or postgres") } },
                "--instances" => o with { Instances = Math.Clamp(int.Parse(Next()), 1, 8) },
                "--postgres" => o with { Postgres = Next() },
                "--redis" => o with { Redis = Next() },
                "--repeat" => o with { Repeat = Math.Clamp(int.Parse(Next()), 1, 5) },
                "--server-env" => o with { ServerEnvironment = new(o.ServerEnvironment) { [Next().Split('=', 2)[0]] = args[i].Split('=', 2)[1] } },
                _ => throw new ArgumentException($"Unknown option {args[i]}"),
            };
        }
        if (o.Provider == "postgres" && string.IsNullOrWhiteSpace(o.Postgres))
            throw new ArgumentException("--provider postgres needs --postgres CONN or BOARD_TEST_POSTGRES (eval \"$(scripts/services.sh start)\")");
        return o;
    }

    public bool Runs(string phase) => !Skip.Contains(phase);
}
