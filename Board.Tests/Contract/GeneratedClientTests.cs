using Board.Web.Demo;

namespace Board.Tests.Contract;

/// <summary>
/// A TypeScript client generated from the live document (openapi-typescript 7 + openapi-fetch, npm, lockfile), type-checked
/// by tsc and run by node, drives the rule end to end: sign in, post, approve ×3, read the trail. If the document lies
/// about a path, a field, a status or a code, the build or the run fails.
/// </summary>
[Trait("Kind", "Api")]
public sealed class GeneratedClientTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task ClientGeneratedFromTheDocument_DrivesTheRuleEndToEnd()
    {
        // Inside the repository, so node and tsc find node_modules at its root.
        var folder = Path.Combine(AppContext.BaseDirectory, "generated-client-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            using var client = app.Anonymous();
            await File.WriteAllTextAsync(Path.Combine(folder, "openapi.json"), await client.GetStringAsync("/openapi/v1.json"));
            await File.WriteAllTextAsync(Path.Combine(folder, "package.json"), """{ "type": "module", "private": true }""");
            File.Copy(Path.Combine(ContractTools.Root, "Board.Tests", "Contract", "Client", "drive.ts"), Path.Combine(folder, "drive.ts"));

            var modules = Path.Combine(ContractTools.Root, "node_modules");
            var generate = await ContractTools.RunAsync("node",
                [Path.Combine(modules, "openapi-typescript", "bin", "cli.js"), Path.Combine(folder, "openapi.json"), "--output", Path.Combine(folder, "schema.ts")]);
            Assert.True(generate.ExitCode == 0, generate.Output);

            var compile = await ContractTools.RunAsync("node",
                [Path.Combine(modules, "typescript", "bin", "tsc"), "--strict", "--target", "es2022", "--module", "nodenext",
                 "--moduleResolution", "nodenext", "--lib", "es2022,dom", "--skipLibCheck", "--outDir", Path.Combine(folder, "out"),
                 Path.Combine(folder, "drive.ts")]);
            Assert.True(compile.ExitCode == 0, "tsc refused the client against the generated types:\n" + compile.Output);
            await File.WriteAllTextAsync(Path.Combine(folder, "out", "package.json"), """{ "type": "module", "private": true }""");

            var run = await RunWithEnvironmentAsync(Path.Combine(folder, "out", "drive.js"));
            Assert.True(run.ExitCode == 0, "the generated client failed:\n" + run.Output);
            Assert.Contains("\"status\":\"executed\"", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<ContractTools.Run> RunWithEnvironmentAsync(string script)
    {
        var start = new System.Diagnostics.ProcessStartInfo("node", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["BOARD_URL"] = app.BaseAddress.ToString().TrimEnd('/'), ["BOARD_PASSWORD"] = DemoSeeder.Password },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        return new ContractTools.Run(process.ExitCode, await output + await error);
    }
}
