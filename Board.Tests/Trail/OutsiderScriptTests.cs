using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Tests.Proposals;
using Board.Web.Trail;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Trail;

/// <summary>
/// docs/audit.md's outsider check, run as written: scripts/verify-proof.py (Python, no Board code) accepts Board's
/// checkpoint, an entry's inclusion proof from <c>audit prove</c> and a consistency proof from the API, and refuses
/// each of them with one byte changed.
/// </summary>
[Trait("Kind", "Api")]
public sealed class OutsiderScriptTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task PythonScript_AcceptsBoardsProofs_AndRefusesChangedOnes()
    {
        using var staff = await app.SignInAsync("staff1");
        var board = await app.FirstBoardAsync();
        await staff.PostAsync(board.Id, "Prove me to an outsider");
        var writer = app.Services.GetRequiredService<CheckpointWriter>();
        var old = (await writer.MakeAsync(force: true, default))!;
        await staff.PostAsync(board.Id, "And one more after that");
        var latest = (await writer.MakeAsync(force: true, default))!;

        var key = Write("trail.vkey", await app.Anonymous().GetStringAsync("/api/audit/key"));
        var oldFile = Write("old.checkpoint", old.Text);
        var latestFile = Write("latest.checkpoint", await app.Anonymous().GetStringAsync("/api/audit/checkpoint"));
        using var stdout = new StringWriter();
        Assert.Equal(AuditCommand.Valid, await AuditCommand.RunAsync(["prove", "--db", app.DatabasePath, "--seq", "7", "--checkpoint", latestFile], stdout, TextWriter.Null, default));
        var proof = Write("proof.json", stdout.ToString());
        var consistency = Write("consistency.json", await staff.Client.GetStringAsync($"/api/audit/proof/consistency?from={old.Size}&to={latest.Size}"));

        var inclusion = await PythonAsync("--key", key, "--proof", proof);
        Assert.True(inclusion.Exit == 0, inclusion.Output);
        Assert.Contains($"ok: entry 7 is in the trail of board.test/trail at size {latest.Size}", inclusion.Output);
        var extends = await PythonAsync("--key", key, "--checkpoint", latestFile, "--old", oldFile, "--consistency", consistency);
        Assert.True(extends.Exit == 0, extends.Output);
        Assert.Contains($"ok: the trail at size {latest.Size} extends the one at size {old.Size}", extends.Output);

        var json = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(proof));
        var changedEntry = Write("changed-entry.json", (await File.ReadAllTextAsync(proof)).Replace("\\\"seq\\\":7", "\\\"seq\\\":7 "));
        Assert.Equal(1, (await PythonAsync("--key", key, "--proof", changedEntry)).Exit);
        var firstHash = json.GetProperty("hashes")[0].GetString()!;
        var flipped = Convert.FromBase64String(firstHash);
        flipped[3] ^= 1;
        var changedPath = Write("changed-path.json", (await File.ReadAllTextAsync(proof)).Replace(firstHash, Convert.ToBase64String(flipped)));
        Assert.Equal(1, (await PythonAsync("--key", key, "--proof", changedPath)).Exit);
        var note = await File.ReadAllTextAsync(latestFile);
        var forged = Write("forged.checkpoint", note.Replace($"\n{latest.Size}\n", $"\n{latest.Size + 1}\n"));
        Assert.Equal(1, (await PythonAsync("--key", key, "--checkpoint", forged)).Exit);
        Assert.Equal(1, (await PythonAsync("--key", key, "--checkpoint", oldFile, "--old", latestFile, "--consistency", consistency)).Exit);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(app.Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Exit, string Output)> PythonAsync(params string[] args)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(RulesAgreementTests.RepositoryRoot(), "scripts", "verify-proof.py"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
