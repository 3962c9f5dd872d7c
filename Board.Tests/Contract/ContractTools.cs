using System.Diagnostics;
using Board.Tests.Proposals;

namespace Board.Tests.Contract;

/// <summary>Runs the ecosystem's tools (node from the repository's node_modules, promtool) and keeps what they said for CI.</summary>
public static class ContractTools
{
    public static string Root => RulesAgreementTests.RepositoryRoot();

    public sealed record Run(int ExitCode, string Output);

    public static async Task<Run> RunAsync(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        return new Run(process.ExitCode, (await output) + (await error));
    }

    /// <summary>
    /// Keeps a tool's report where CI prints it from (<c>BOARD_CONTRACT_REPORTS</c>, set by .ci/run); nothing when unset.
    /// </summary>
    public static void Report(string name, string text)
    {
        if (Environment.GetEnvironmentVariable("BOARD_CONTRACT_REPORTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), text);
    }

    /// <summary>A file in a fresh temporary folder, removed with it by the caller.</summary>
    public static string TempFolder() => Directory.CreateTempSubdirectory("board-contract-").FullName;
}
