using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Demo;
using Board.Web.Trail;
using Microsoft.Data.Sqlite;

namespace Board.Tests.Operations;

/// <summary>
/// <c>backup --out FILE</c> on a live SQLite database: taken while 32 writers approve, the copy opens, its trail
/// verifies, it holds every approval acknowledged before the backup started, and the head printed is the copy's.
/// </summary>
[Trait("Kind", "Api")]
public sealed class BackupTests(BoardApp app) : IClassFixture<BoardApp>
{
    private const int Writers = 32;
    private const int Proposals = 12;

    [Fact]
    public async Task Backup_WhileThirtyTwoWritersApprove_HoldsEveryApprovalAcknowledgedBeforeItStarted_AndVerifies()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 25);
        using var author = await app.SignInAsync("staff1");
        var proposals = new List<Guid>();
        for (var i = 0; i < Proposals; i++) proposals.Add((await author.PostAsync(board.Id, $"Backup load {i}")).Id);
        var writers = new List<Session>();
        for (var i = 0; i < Writers; i++)
        {
            var email = $"backup-{i}-{Guid.NewGuid():N}"[..20] + "@demo.board";
            var created = await admin.Client.PostAsJsonAsync("/api/members",
                new { email, displayName = $"Backup writer {i}", password = DemoSeeder.Password, roles = new[] { "operations" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            writers.Add(await app.SignInAsync(email));
        }

        var acknowledged = new ConcurrentQueue<(Guid Proposal, Guid Member, long At)>();
        var backupStarted = long.MaxValue;
        var afterBackup = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var load = writers.Select((writer, w) => Task.Run(async () =>
        {
            // Each writer approves every proposal once, in an order of its own.
            foreach (var proposal in proposals.OrderBy(p => HashCode.Combine(p, w)))
            {
                if (stop.IsCancellationRequested) return;
                var response = await writer.ApproveAsync(proposal);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                if (response.StatusCode != HttpStatusCode.OK) continue;
                var at = Stopwatch.GetTimestamp();
                acknowledged.Enqueue((proposal, writer.Member.Id, at));
                if (at > Volatile.Read(ref backupStarted)) Interlocked.Increment(ref afterBackup);
            }
        })).ToList();

        // The backup starts once the load is well under way, and the writers go on meanwhile.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (acknowledged.Count < Writers * Proposals / 4 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(acknowledged.Count >= Writers * Proposals / 4, "the load did not get under way");
        var copyPath = Path.Combine(app.Folder, "backup.db");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Volatile.Write(ref backupStarted, Stopwatch.GetTimestamp());
        var exit = await BackupCommand.RunAsync(["--db", app.DatabasePath, "--out", copyPath], stdout, stderr, CancellationToken.None);
        var before = acknowledged.Where(a => a.At < backupStarted).ToList();
        await Task.WhenAll(load);

        Assert.True(exit == 0, stdout.ToString() + stderr.ToString());
        Assert.True(afterBackup > 0, "no write was acknowledged after the backup started: the load stopped for it, or ended before it");
        Assert.True(acknowledged.Count > before.Count);

        // The copy opens, holds every approval acknowledged before the backup started, and its trail verifies.
        var stored = new HashSet<(Guid, Guid)>();
        await using (var copy = new SqliteConnection($"Data Source={copyPath};Mode=ReadOnly;Pooling=False"))
        {
            await copy.OpenAsync();
            await using var command = copy.CreateCommand();
            command.CommandText = "SELECT ProposalId, MemberId FROM approvals";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) stored.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }
        var missing = before.Where(a => !stored.Contains((a.Proposal, a.Member))).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {before.Count} approvals acknowledged before the backup are not in it");

        using var verifyOut = new StringWriter();
        using var verifyErr = new StringWriter();
        Assert.Equal(0, await AuditCommand.RunAsync(["verify", "--db", copyPath], verifyOut, verifyErr, CancellationToken.None));
        using var headOut = new StringWriter();
        Assert.Equal(0, await AuditCommand.RunAsync(["head", "--db", copyPath], headOut, verifyErr, CancellationToken.None));
        var head = headOut.ToString().Split(' ')[0..2];
        // The head the backup printed is the copy's own.
        Assert.Contains($"trail head {head[0]} {head[1]}", stdout.ToString());
        foreach (var writer in writers) writer.Dispose();
    }

    [Fact]
    public async Task Backup_AsAProcess_PrintsTheHead_AndRefusesWithoutOut()
    {
        var copyPath = Path.Combine(app.Folder, "process-backup.db");
        var (exit, output) = await RunAsync("backup", "--db", app.DatabasePath, "--out", copyPath);
        Assert.True(exit == 0, output);
        Assert.Matches(@"trail head seq=\d+ hash=[0-9a-f]{64} \(\d+ entries, verified\)", output);
        Assert.True(File.Exists(copyPath));
        Assert.False(File.Exists(copyPath + ".partial"));

        var (usage, message) = await RunAsync("backup", "--db", app.DatabasePath);
        Assert.Equal(2, usage);
        Assert.Contains("--out FILE is required", message);
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Board.Web.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
