using System.Text.Json;
using Board.Bench;

// Child modes: the bench starts itself as the bare hub and as the trail steps, so each is measured on its own.
switch (args.FirstOrDefault())
{
    case "--floor-server":
        await FloorServer.RunAsync(int.Parse(Arg("--port")), Arg("--db"));
        return 0;
    case "--trail-build":
        Console.WriteLine(JsonSerializer.Serialize(TrailBench.Build(Arg("--db"), long.Parse(Arg("--entries"))), BoardApi.Json));
        return 0;
    case "--trail-verify":
        Console.WriteLine(JsonSerializer.Serialize(TrailBench.Verify(Arg("--db")), BoardApi.Json));
        return 0;
    case "--trail-from-checkpoint":
        Console.WriteLine(JsonSerializer.Serialize(await TrailBench.VerifyFromCheckpointAsync(Arg("--db"), long.Parse(Arg("--entries")), long.Parse(Arg("--new"))), BoardApi.Json));
        return 0;
    case "--render":
        // docs/benchmarks.md written again from a benchmarks.json (after a change to the report, without measuring again).
        var saved = JsonSerializer.Deserialize<BenchResult>(File.ReadAllText(Arg("--json")),
            new JsonSerializerOptions(BoardApi.Json) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals })!;
        Report.Write(saved, Path.GetDirectoryName(Path.GetFullPath(Arg("--json")))!);
        return 0;
    case "generate":
        return await TrailGenerator.RunAsync(args[1..]);
    case "--trail-export":
        Console.WriteLine(JsonSerializer.Serialize(TrailBench.Export(Arg("--db"), Arg("--file")), BoardApi.Json));
        return 0;
}

var options = BenchOptions.Parse(args);
{
    // Each watcher is a descriptor here and one in the server (which inherits this limit): see OpenFilesLimit.
    var wanted = Math.Max(65_536, options.IdleWatchers * 10L / 9 + Board.Web.Hosting.OpenFiles.Reserve + 4096);
    Console.WriteLine($"Open files: {OpenFilesLimit.RaiseTo(wanted)?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} (asked for {wanted:N0})");
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var result = await Runner.RunAsync(options, cancel.Token);
Report.Print(result);
var outDir = options.OutDir ?? (options.Quick ? Path.Combine(Path.GetTempPath(), "board-bench") : Path.Combine(Runner.RepoRoot(), "docs"));
Report.Write(result, outDir);
Console.WriteLine($"Wrote {Path.Combine(outDir, "benchmarks.md")} and benchmarks.json");
return 0;

string Arg(string name) => args[Array.IndexOf(args, name) + 1];
