using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Board.Bench;

/// <summary>One run: starts Board.Web and the floor hub as separate processes, then measures each item in turn.</summary>
public static class Runner
{
    public static async Task<BenchResult> RunAsync(BenchOptions o, CancellationToken ct)
    {
        var load = LoadAverage();
        var work = Directory.CreateTempSubdirectory("board-bench-").FullName;
        var notes = new List<string>();
        Log.Line($"Board.Bench {(o.Quick ? "(quick) " : "")}— work folder {work}");

        if (o.Instances > 1 && o.Url is not null)
            throw new ArgumentException("--instances needs a Board the bench starts itself (no --url)");
        var database = o.Provider == "postgres" ? await CreatePostgresAsync(o, ct) : $"Data Source={Path.Combine(work, "board.db")}";
        await using var server = o.Url is null ? await StartBoardAsync(database, o, work, ct) : null;
        var url = o.Url ?? server!.Url;
        var others = new List<ChildProcess>();
        for (var i = 1; o.Url is null && i < o.Instances; i++) others.Add(await StartBoardAsync(database, o, work, ct, i));
        var floorPort = ChildProcess.FreePort();
        await using var floor = await ChildProcess.StartAsync("floor hub", work,
            [BenchDll, "--floor-server", "--port", floorPort.ToString(), "--db", Path.Combine(work, "durable-floor.db")], new Dictionary<string, string>(), floorPort,
            Path.Combine(work, "floor.log"), ct);
        var cpu = new CpuMeter(server?.Process);

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        { BaseAddress = url, Timeout = TimeSpan.FromSeconds(120) };
        var api = new BoardApi(http);
        Log.Line("Setting up members and boards…");
        var setup = await BenchSetup.CreateAsync(api, o, ct);
        var boardHub = new Uri(url, "/hubs/board");
        Uri[] boardHubs = [boardHub, .. others.Select(other => new Uri(other.Url, "/hubs/board"))];
        if (o.Redis is not null)
            notes.Add($"Redis backplane ({o.Redis}) on; {boardHubs.Length} Board.Web instance(s) on one {o.Provider} database, watchers split evenly across them.");
        var floorHub = new Uri(floor.Url, FloorServer.Path);

        ConnectionsResult? connections = null;
        if (o.Runs("connections"))
        {
            Log.Line($"(4) Connections held, up to {o.IdleWatchers} idle watchers");
            connections = await new ConnectionsBench(setup, boardHub, server, cpu).RunAsync(o.IdleWatchers, TimeSpan.FromSeconds(o.Quick ? 20 : 300), ct);
            await Task.Delay(TimeSpan.FromSeconds(o.Quick ? 1 : 5), ct);
        }

        var travel = new List<TravelResult>();
        if (o.Runs("travel"))
        {
            foreach (var n in o.Watchers)
            {
                var runs = new List<TravelResult>();
                for (var run = 1; run <= o.Repeat; run++)
                {
                    Log.Line($"(1)(2) Decision travel and broadcast floor, {n} watchers, {o.Decisions} decisions{RunOf(run, o.Repeat)}");
                    var r = await new TravelBench(api, setup, boardHubs, floorHub, cpu).RunAsync(n, o.Decisions, ct);
                    runs.Add(r);
                    Log.Line($"  travel p50 {r.Travel.P50:F1} p99 {r.Travel.P99:F1} ms; floor p50 {r.Floor.P50:F1} p99 {r.Floor.P99:F1} ms; " +
                        $"durable p50 {r.DurableFloor?.P50:F1} p99 {r.DurableFloor?.P99:F1} ms; ratio to durable p50 {r.RatioDurableP50:F2} p99 {r.RatioDurableP99:F2}");
                }
                // The run in the middle by its worse ratio to the durable floor stands for the size; all runs are noted.
                var median = Median(runs, r => Math.Max(Finite(r.RatioDurableP50), Finite(r.RatioDurableP99)));
                travel.Add(median);
                if (runs.Count > 1)
                    notes.Add($"Travel at {n:N0} watchers, {runs.Count} runs (travel p50 / p99 ms; ratio to the durable floor p50 / p99; to the bare hub p50 / p99): " +
                        string.Join("; ", runs.Select((r, i) => $"run {i + 1}{(ReferenceEquals(r, median) ? " (median, in the table)" : "")}: " +
                            $"{r.Travel.P50:F1} / {r.Travel.P99:F1}; {r.RatioDurableP50:F2} / {r.RatioDurableP99:F2}; {r.RatioP50:F2} / {r.RatioP99:F2}")) + ".");
            }
        }

        ApprovalsResult? approvals = null;
        FloorResult? sqlite = null;
        FloorResult? postgres = null;
        if (o.Runs("approvals"))
        {
            Log.Line($"(3) Approvals with {o.Approvers} concurrent approvers over {o.ApprovalProposals} proposals, at most {o.ApprovalsFor.TotalSeconds:F0} s");
            var instances = new List<BoardApi> { api };
            instances.AddRange(others.Select(other => new BoardApi(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            { BaseAddress = other.Url, Timeout = TimeSpan.FromSeconds(120) })));
            // Board and its floors take turns, so that a slow moment of the machine falls on one run of one, not on all of one.
            var boardRuns = new List<ApprovalsResult>();
            var sqliteRuns = new List<FloorResult>();
            var postgresRuns = new List<FloorResult>();
            for (var run = 1; run <= o.Repeat; run++)
            {
                var b = await new ApprovalsBench(instances, setup, cpu).RunAsync(o.ApprovalProposals, o.ApprovalsFor, o.ApprovalsWarmup, ct,
                    o.Provider == "postgres" ? c => PostgresFloor.CheckpointAsync(o.Postgres!, c) : null);
                boardRuns.Add(b);
                Log.Line($"  {b.PerSecond:F0} approvals/s; {b.DoubleExecutions} double executions{RunOf(run, o.Repeat)}");
                Log.Line($"(3) SQLite floor{RunOf(run, o.Repeat)}");
                var f = await SqliteFloor.RunAsync(Path.Combine(work, $"floor-{run}.db"), o.Approvers, o.ApprovalProposals, o.ApprovalsFor, o.ApprovalsWarmup, new CpuMeter(null), ct);
                sqliteRuns.Add(f);
                Log.Line($"  {f.PerSecond:F0} transactions/s");
                if (!string.IsNullOrWhiteSpace(o.Postgres))
                {
                    Log.Line($"(3) PostgreSQL floor{RunOf(run, o.Repeat)}");
                    var g = await PostgresFloor.RunAsync(o.Postgres, o.Approvers, o.ApprovalProposals, o.ApprovalsFor, o.ApprovalsWarmup, new CpuMeter(null), ct);
                    postgresRuns.Add(g);
                    Log.Line($"  {g.PerSecond:F0} transactions/s");
                }
            }
            approvals = Median(boardRuns, r => r.PerSecond) with
            {
                // Exactly once holds for every run, not only the one reported.
                DoubleExecutions = boardRuns.Sum(r => r.DoubleExecutions),
                ProposalsOverApproved = boardRuns.Sum(r => r.ProposalsOverApproved),
            };
            sqlite = Median(sqliteRuns, r => r.PerSecond);
            postgres = postgresRuns.Count > 0 ? Median(postgresRuns, r => r.PerSecond) : null;
            if (o.Repeat > 1)
                notes.Add($"Approvals, {o.Repeat} runs taking turns (per second; the median of each is in the table, double executions are summed over all runs): " +
                    $"Board ({o.Provider}) {string.Join(", ", boardRuns.Select(r => r.PerSecond.ToString("F0")))}; " +
                    $"SQLite floor {string.Join(", ", sqliteRuns.Select(r => r.PerSecond.ToString("F0")))}" +
                    (postgresRuns.Count > 0 ? $"; PostgreSQL floor {string.Join(", ", postgresRuns.Select(r => r.PerSecond.ToString("F0")))}" : "") + ".");
            if (string.IsNullOrWhiteSpace(o.Postgres))
                notes.Add("No PostgreSQL server given (--postgres or BOARD_TEST_POSTGRES): the PostgreSQL floor was not measured.");
        }

        MembersResult? members = null;
        if (o.Runs("members"))
        {
            Log.Line($"(6) {o.Members} distinct members joining one board");
            // Bounded twice: the accounts (two password hashes each on the server) and the timed joining.
            // Without --url the bench owns the database, and prepares the members there with Board's own code (DirectMembers);
            // --members-prep api makes each through the HTTP API instead, two password hashes apiece.
            var direct = o.Url is null && o.MembersPrep == "direct" ? (o.Provider, database) : ((string, string)?)null;
            members = await new MembersBench(api, setup, o, boardHub, server, cpu, direct).RunAsync(o.Members,
                TimeSpan.FromMinutes(o.Quick ? 2 : 20), TimeSpan.FromSeconds(o.Quick ? 60 : 180), ct);
        }

        PhotosResult? photos = null;
        if (o.Runs("photos"))
        {
            Log.Line($"(7) Photos: one 10 MB upload, then {o.PhotoUploads} uploads to visible");
            photos = await new PhotosBench(api, setup, boardHub, server, cpu).RunAsync(o.PhotoUploads, ct);
        }

        TrailResult? trail = null;
        if (o.Runs("trail"))
        {
            Log.Line($"(5) Trail of {o.TrailEntries:N0} entries");
            trail = await RunTrailAsync(o, work, ct);
        }

        var scale = new List<ScaleStep>();
        if (o.Runs("scale"))
        {
            Log.Line($"(5b) The same reads at {string.Join(", ", o.ScaleSizes.Select(n => n.ToString("N0")))} trail entries");
            scale = await ScaleBench.RunAsync(work, o.ScaleSizes, o.Quick ? 5 : 20, ct);
        }

        notes.Add("Server, floor hub and load generator share the same machine; the load generator's CPU time is reported next to the server's.");
        if (o.Provider == "postgres")
            notes.Add($"PostgreSQL ({o.Instances} Board instance{(o.Instances > 1 ? "s" : "")} on one database, approvers spread over them); server CPU is the first instance's only.");
        foreach (var other in others) await other.DisposeAsync();
        var result = new BenchResult(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"), Commit(), Describe(), o.Quick,
            o.Url?.ToString() ?? (o.Provider == "postgres"
                ? $"{o.Instances} Board.Web instance(s) started by the bench (Production, fresh PostgreSQL database)"
                : "Board.Web started by the bench (Production, fresh SQLite file)"), travel, approvals, sqlite, connections, trail, notes, members, photos)
        {
            Provider = o.Provider, PostgresFloor = postgres, LoadAtStart = load, LoadAtEnd = LoadAverage(), Scale = scale,
        };
        if (o.Url is null && !o.Keep) try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        return result;
    }

    private static string RunOf(int run, int runs) => runs > 1 ? $" (run {run} of {runs})" : "";

    private static double Finite(double x) => double.IsFinite(x) ? x : 0;

    /// <summary>The run in the middle by <paramref name="key"/> (the lower middle of an even count).</summary>
    private static T Median<T>(IReadOnlyList<T> runs, Func<T, double> key) => runs.OrderBy(key).ElementAt((runs.Count - 1) / 2);

    /// <summary>A fresh database on the PostgreSQL server given; the first instance migrates it.</summary>
    private static async Task<string> CreatePostgresAsync(BenchOptions o, CancellationToken ct)
    {
        var name = $"board_bench_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await using (var c = new Npgsql.NpgsqlConnection(o.Postgres))
        {
            await c.OpenAsync(ct);
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
            await create.ExecuteNonQueryAsync(ct);
        }
        Log.Line($"PostgreSQL database {name} (left in place for inspection; drop it when done)");
        return new Npgsql.NpgsqlConnectionStringBuilder(o.Postgres) { Database = name }.ToString();
    }

    private static async Task<ChildProcess> StartBoardAsync(string database, BenchOptions o, string work, CancellationToken ct, int instance = 0)
    {
        var port = ChildProcess.FreePort();
        var environment = new Dictionary<string, string>(o.ServerEnvironment)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Keys__TrailSigningKey"] = TrailKeyFile(work),
            ["Database__Provider"] = o.Provider == "postgres" ? "Postgres" : "Sqlite",
            ["ConnectionStrings__Board"] = database,
            ["Keys__DataProtectionCertificate"] = KeyRingCertificate,
            ["Board__Admin__Email"] = o.AdminEmail,
            ["Board__Admin__Password"] = o.AdminPassword,
            ["Keys__VapidKey"] = VapidKeyFile(work),
            // The bench is one address and a few members doing what hundreds would: the limits would measure themselves.
            ["RateLimits__SignInPerAddress"] = "1000000",
            ["RateLimits__SignInPerAccount"] = "1000000",
            ["RateLimits__WritesPerMinute"] = "1000000",
            ["RateLimits__WriteBurst"] = "1000000",
            // Its watchers are thousands of screens of one account: the per-member cap would hold them to 20.
            ["Realtime__ConnectionsPerMember"] = "100000",
        };
        if (o.Redis is not null) environment["SignalR__Redis"] = $"{o.Redis},channelPrefix=bench-{Path.GetFileName(work)}";
        return await ChildProcess.StartAsync($"Board.Web{(instance > 0 ? $" #{instance + 1}" : "")}", Path.Combine(RepoRoot(), "Board.Web"),
            [WebDll, "--urls", $"http://127.0.0.1:{port}"], environment, port, Path.Combine(work, $"board-web{instance}.log"), ct);
    }

    /// <summary>Production requires a VAPID key file: one for the bench's servers, in its work folder.</summary>
    private static string VapidKeyFile(string work)
    {
        var path = Path.Combine(work, "vapid.pem");
        if (!File.Exists(path))
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        }
        return path;
    }

    private static async Task<TrailResult> RunTrailAsync(BenchOptions o, string work, CancellationToken ct)
    {
        var db = Path.Combine(work, "trail.db");
        var source = Path.Combine(work, "board.db");
        if (File.Exists(source))
        {
            // The schema is Board's own, migrated when the bench's server started: a copy of that file, whose trail
            // the build step extends from its head.
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={source};Pooling=False");
            await c.OpenAsync(ct);
            await using var vacuum = c.CreateCommand();
            vacuum.CommandText = "VACUUM INTO $target";
            vacuum.Parameters.AddWithValue("$target", db);
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        else
        {
            // Against --url there is no local file: start the app once on an empty one so that it applies its migrations.
            var port = ChildProcess.FreePort();
            await (await ChildProcess.StartAsync("Board.Web (migrations)", Path.Combine(RepoRoot(), "Board.Web"),
                [WebDll, "--urls", $"http://127.0.0.1:{port}"],
                new Dictionary<string, string>
                {
                    ["ASPNETCORE_ENVIRONMENT"] = "Production",
                    ["ConnectionStrings__Board"] = $"Data Source={db}",
                    ["Keys__DataProtectionCertificate"] = KeyRingCertificate,
                    ["Keys__TrailSigningKey"] = TrailKeyFile(work),
                },
                port, Path.Combine(work, "trail-web.log"), ct)).DisposeAsync();
        }

        var export = Path.Combine(work, "trail.jsonl");
        var steps = new List<TrailStep>
        {
            await ChildStepAsync(["--trail-build", "--db", db, "--entries", o.TrailEntries.ToString()], ct),
            await ChildStepAsync(["--trail-verify", "--db", db], ct),
            await ChildStepAsync(["--trail-export", "--db", db, "--file", export], ct),
            await ChildStepAsync(["--trail-from-checkpoint", "--db", Path.Combine(work, "checkpoint-trail.db"), "--entries", o.TrailEntries.ToString(), "--new", "1000"], ct),
        };
        foreach (var s in steps) Log.Line($"  {s.Step}: {s.Entries:N0} entries in {s.Seconds:F1} s, peak {s.PeakWorkingSetBytes / 1048576.0:F0} MiB ({s.Detail})");
        var result = new TrailResult(steps[0].Entries, new FileInfo(db).Length + (File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0),
            new FileInfo(export).Length, steps);
        File.Delete(export);
        return result;
    }

    /// <summary>The trail signing key the bench's Board.Web uses (Production requires one), made once per work folder.</summary>
    private static string TrailKeyFile(string work)
    {
        var path = Path.Combine(work, "trail-signing.key");
        if (!File.Exists(path)) File.WriteAllText(path, Board.Web.Trail.TrailKey.Generate("bench.board/trail"));
        return path;
    }

    private static async Task<TrailStep> ChildStepAsync(string[] arguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(BenchDll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(cts.Token);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"{arguments[0]} printed nothing (exit {process.ExitCode})");
        return JsonSerializer.Deserialize<TrailStep>(line, BoardApi.Json)!;
    }

    private static string BenchDll => typeof(Runner).Assembly.Location;

    /// <summary>
    /// The certificate that encrypts the servers' sign-in key ring (required in Production): Keys__DataProtectionCertificate
    /// from the bench's environment, else one generated once under the temp folder. <see cref="DirectMembers"/> issues
    /// tokens with the same one.
    /// </summary>
    public static string KeyRingCertificate
    {
        get
        {
            if (Environment.GetEnvironmentVariable("Keys__DataProtectionCertificate") is { Length: > 0 } given) return given;
            var path = Path.Combine(Path.GetTempPath(), "board-bench-keys", "dataprotection.pfx");
            if (!File.Exists(path)) Board.Web.Keys.DataProtectionCertificate.CreateFile(path);
            return path;
        }
    }

    private static string WebDll
    {
        get
        {
            // The bench's own build configuration (bin/Release/net10.0) is the one Board.Web was built in alongside it.
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(RepoRoot(), "Board.Web", "bin", framework.Parent!.Name, framework.Name, "Board.Web.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build Board.Web first", path);
        }
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Board.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Board.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Commit()
    {
        try
        {
            var info = new ProcessStartInfo("git", "describe --always --dirty --abbrev=10") { WorkingDirectory = RepoRoot(), RedirectStandardOutput = true, UseShellExecute = false };
            using var git = Process.Start(info)!;
            var text = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return text.Length > 0 ? text : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages, as /proc/loadavg gives them ("" where there is none).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

    private static Machine Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : RuntimeInformation.ProcessArchitecture.ToString();
        return new Machine(cpu, Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }
}
