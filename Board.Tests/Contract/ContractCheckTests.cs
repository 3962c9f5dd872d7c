using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Tests.Operations;

namespace Board.Tests.Contract;

/// <summary>
/// The live document through Spectral (spectral:oas + the OWASP API Security ruleset, .spectral.yaml): zero errors.
/// The live /metrics through promtool check metrics: accepted. Both reports are kept for CI to print.
/// </summary>
[Collection(nameof(MetricsTests))]
[Trait("Kind", "Api")]
public sealed class ContractCheckTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task Spectral_FindsNoErrorInTheLiveDocument()
    {
        var folder = ContractTools.TempFolder();
        try
        {
            using var client = app.Anonymous();
            var document = Path.Combine(folder, "openapi.json");
            await File.WriteAllTextAsync(document, await client.GetStringAsync("/openapi/v1.json"));
            var json = Path.Combine(folder, "spectral.json");
            var spectral = Path.Combine(ContractTools.Root, "node_modules", "@stoplight", "spectral-cli", "dist", "index.js");
            var run = await ContractTools.RunAsync("node",
                [spectral, "lint", document, "--ruleset", Path.Combine(ContractTools.Root, ".spectral.yaml"),
                 "--format", "stylish", "--format", "json", "--output.json", json, "--fail-severity", "error"]);
            ContractTools.Report("spectral.txt", run.Output);
            Assert.True(File.Exists(json), run.Output);
            var findings = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.EnumerateArray().ToList();
            var errors = findings.Where(f => f.GetProperty("severity").GetInt32() == 0).Select(f => f.ToString()).ToList();
            Assert.True(errors.Count == 0, $"Spectral found {errors.Count} errors:\n{string.Join("\n", errors)}");
            Assert.Equal(0, run.ExitCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Promtool_AcceptsTheMetrics_AfterTheRuleHasRun()
    {
        // Traffic first, so every instrument the rule moves has something to show.
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        var proposal = await staff.PostAsync(board.Id, "Metrics check " + Guid.NewGuid().ToString("N")[..6]);
        await app.ApproveAsAsync(proposal.Id);
        await (await staff.ApproveAsync(proposal.Id)).IsProblemAsync(HttpStatusCode.Conflict, "not-open");
        Assert.Equal(HttpStatusCode.OK, (await staff.Client.GetAsync("/api/audit?limit=5")).StatusCode);

        using var client = app.Anonymous();
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("board_", metrics, StringComparison.Ordinal);
        var run = await ContractTools.RunAsync("promtool", ["check", "metrics"], stdin: metrics);
        ContractTools.Report("promtool.txt", $"promtool check metrics: exit {run.ExitCode}\n{run.Output}");
        Assert.True(run.ExitCode == 0, run.Output);
    }
}
