using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Persistence;
using Board.Web.Realtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Persistence;

/// <summary>
/// Every SQL command a <see cref="BoardDb"/> of the app runs for an API request, in order. Background work (the session
/// watchdog, the webhook poll) runs outside any request and is left out: it would land in the count at random.
/// </summary>
public sealed class CommandLog : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly ConcurrentQueue<string> _inTransaction = new();
    private readonly ConcurrentQueue<string> _background = new();
    private readonly HttpContextAccessor _request = new();

    public IReadOnlyList<string> Commands => [.. _commands];

    /// <summary>
    /// Of <see cref="Commands"/>, those run inside a transaction: for a write, inside the write lock, where every
    /// round trip keeps the writers queued behind waiting. (Reads outside a write run in no transaction of EF Core's.)
    /// </summary>
    public IReadOnlyList<string> InTransaction => [.. _inTransaction];

    /// <summary>The commands run outside any request (broadcasters, workers), in order.</summary>
    public IReadOnlyList<string> Background => [.. _background];

    public void Clear()
    {
        _commands.Clear();
        _inTransaction.Clear();
        _background.Clear();
    }

    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        Record(result.CommandText, result.Transaction is not null);
        return result;
    }

    /// <summary>A statement a writer's turn runs itself (<see cref="SqliteStatements.Execute"/>): always in the write's transaction.</summary>
    public void Written(string text) => Record(text, inTransaction: true);

    private void Record(string text, bool inTransaction)
    {
        if (_request.HttpContext is not { } http) _background.Enqueue(text);
        else if (http.Request.Path.StartsWithSegments("/api"))
        {
            _commands.Enqueue(text);
            if (inTransaction) _inTransaction.Enqueue(text);
        }
    }
}

/// <summary>The app with every SQL command logged, and polling for other instances' commits put off for minutes.</summary>
public sealed class CountingApp : BoardApp
{
    public CommandLog Log { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Realtime:PollMilliseconds"] = "600000" };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        // The statements a writer's turn runs itself, past EF Core's interceptors (SQLite only).
        if (Services.GetService<SqliteStatements>() is { } statements) statements.Executing += Log.Written;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The options are those of the provider's context type (what AddDbContext<BoardDb, SqliteBoardDb> builds), not BoardDb's.
        // The accessor makes the request visible to the log (it is how ASP.NET Core publishes it to async code).
        builder.ConfigureServices(services => services
            .AddHttpContextAccessor()
            .ConfigureDbContext<SqliteBoardDb>(o => o.AddInterceptors(Log), ServiceLifetime.Singleton)
            .ConfigureDbContext<PostgresBoardDb>(o => o.AddInterceptors(Log), ServiceLifetime.Singleton));
    }
}

[Trait("Kind", "Api")]
public sealed class RoundTripTests(CountingApp app) : IClassFixture<CountingApp>
{
    /// <summary>
    /// The budget for the approval that decides, authenticated by bearer token, in EF Core commands. Before the write
    /// lock, in no transaction:
    /// 1 the member and their roles (one statement, once for the request),
    /// 1 the proposal with its approvals (one join) and whether it has comments and photos (two EXISTS in the same
    /// statement); its comments and its photos (the view shows them) each in a statement of their own, only when it
    /// has any — a join would repeat the proposal's row once per approval × comment × photo. The proposal here has
    /// neither (<see cref="ApprovalOfAProposalWithACommentAndAPhoto_ReadsThemBeforeTheLock"/> counts one that has).
    /// Under the write lock (<see cref="LockedBudget"/>):
    /// 1 the proposal's version (equal to the one read before the lock: what was read is current; otherwise the three
    /// reads above are made again, under the lock) and, in the same statement, which of its approvers and the new one
    /// still count (active, holding the role: a role taken away a moment ago counts),
    /// 1 the trail head (seq and hash of the last entry),
    /// 1 the webhooks that want these entries (the outbox),
    /// 1 the devices of the members to notify by Web Push (the push outbox),
    /// 0 the stored Merkle tree's right edge: this instance made the commit before, and kept the edge it left (read
    /// only when another instance committed since: 1 more),
    /// 2 the save: the approval and the proposal's update (one statement each; on SQLite the turn sends them itself,
    /// prepared once, past EF Core's save — they count here all the same),
    /// 1 the two trail entries, in one INSERT, not tracked (they were two commands of the save),
    /// 1 the tree's new nodes, every one of them in one INSERT.
    /// BEGIN IMMEDIATE, the writer's savepoint and COMMIT are not EF Core commands (SqliteGroupCommit runs them on its
    /// connection, one BEGIN and one COMMIT per group of writers). Broadcasting the commit reads nothing: the hub gets
    /// the view the request built.
    /// </summary>
    private const int Budget = 10;

    /// <summary>
    /// The commands inside the write lock: 8 (the whole approval: 12 while comments and photos were read whether the
    /// proposal had any or not), down from 9 when the trail entries were saved by EF Core one command each,
    /// and from 13 when the proposal, its approvals, comments and photos were
    /// all read under the lock, the approvers in a statement of their own and the tree's edge by every commit (and
    /// 12 + 2⌊log₂ n⌋ + 2 before the tree's nodes were one INSERT).
    /// </summary>
    private const int LockedBudget = 8;

    [Fact]
    public async Task ApprovalOfAProposalWithACommentAndAPhoto_ReadsThemBeforeTheLock()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        var proposal = await author.PostAsync(board.Id, "Count the reads of a proposal with a comment and a photo");
        Assert.Equal(HttpStatusCode.Created, (await author.Client.PostAsJsonAsync($"/api/proposals/{proposal.Id}/comments", new { body = "Seen on the shelf" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Attachments.Photos.UploadAsync(author, proposal.Id, Attachments.Photos.Jpeg(64, 48), "shelf.jpg", "The shelf")).StatusCode);

        app.Log.Clear();
        var approved = await ops1.ApproveAsync(proposal.Id);
        var approval = app.Log.Commands;
        var locked = app.Log.InTransaction;

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var view = (await approved.Content.ReadFromJsonAsync<Web.Proposals.ProposalDto>(BoardApp.Json))!;
        Assert.Equal("Seen on the shelf", Assert.Single(view.Comments).Body);
        Assert.Equal("The shelf", Assert.Single(view.Attachments).Alt);
        Assert.Single(approval, c => c.Contains("FROM \"comments\"", StringComparison.Ordinal) && !c.Contains("EXISTS", StringComparison.Ordinal));
        Assert.Single(approval, c => c.Contains("FROM \"attachments\"", StringComparison.Ordinal) && !c.Contains("EXISTS", StringComparison.Ordinal));
        Assert.DoesNotContain(locked, c => c.Contains("FROM \"comments\"", StringComparison.Ordinal) || c.Contains("FROM \"attachments\"", StringComparison.Ordinal));
        Assert.True(approval.Count <= Budget + 2, $"{approval.Count} SQL commands for one approval (budget {Budget} + 2):\n{string.Join("\n---\n", approval)}");
    }

    [Fact]
    public async Task DecidingApproval_StaysWithinItsSqlBudget_AndBroadcastingItReadsNothing()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        using var watcher = await app.SignInAsync("manager");
        await using var hub = await watcher.ConnectAsync();
        var decided = new TaskCompletionSource<CommitDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        var proposal = await author.PostAsync(board.Id, "Count the round trips of one approval");
        long boardSeqBefore = 0;
        hub.On<CommitDto>("commit", c =>
        {
            if (c.Proposal?.Id == proposal.Id && c.Entries.Any(e => e.Action == "proposal.executed")) decided.TrySetResult(c);
            else if (c.BoardId == board.Id) boardSeqBefore = Math.Max(boardSeqBefore, c.Entries[^1].Seq);
        });
        await hub.InvokeAsync("Watch", board.Id);
        Assert.Equal(HttpStatusCode.OK, (await ops1.ApproveAsync(proposal.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops2.ApproveAsync(proposal.Id)).StatusCode);
        await Task.Delay(200);

        app.Log.Clear();
        Assert.Equal(HttpStatusCode.OK, (await ops3.ApproveAsync(proposal.Id)).StatusCode);
        var approval = app.Log.Commands;
        var locked = app.Log.InTransaction;
        var commit = await decided.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(300);

        Assert.Equal(["approval.added", "proposal.executed"], commit.Entries.Select(e => e.Action));
        Assert.Equal("executed", commit.Proposal!.Status);
        // It must see the commands it counts: at least the member, the proposal, the head and the save.
        Assert.True(approval.Count >= 4, $"only {approval.Count} SQL commands seen: the log is not hooked into the app's context");
        var nodeInserts = approval.Where(c => c.StartsWith("INSERT INTO \"trail_nodes\"", StringComparison.Ordinal)).ToList();
        var nodeInsert = Assert.Single(nodeInserts);
        // Two leaves and the subtrees they complete, all in that one statement.
        Assert.InRange(nodeInsert.Split("), (").Length, 2, 2 * ((int)Math.Log2(commit.Entries[^1].Seq) + 1));
        // Both entries in one statement.
        var entryInsert = Assert.Single(locked, c => c.StartsWith("INSERT INTO \"audit_entries\"", StringComparison.Ordinal));
        Assert.Equal(2, entryInsert.Split("), (").Length);
        Assert.True(approval.Count <= Budget, $"{approval.Count} SQL commands for one approval (budget {Budget}):\n{string.Join("\n---\n", approval)}");
        Assert.True(locked.Count <= LockedBudget, $"{locked.Count} SQL commands under the write lock (budget {LockedBudget}):\n{string.Join("\n---\n", locked)}");
        // The proposal, its comments and its photos are read before the lock, not under it.
        Assert.DoesNotContain(locked, c => c.Contains("FROM \"comments\"", StringComparison.Ordinal) || c.Contains("FROM \"attachments\"", StringComparison.Ordinal));
        Assert.Contains(approval, c => c.Contains("FROM \"comments\"", StringComparison.Ordinal));
        // The broadcaster works outside any request; other background work (the session watchdog, the webhook poll)
        // may run meanwhile, but only the broadcaster would read these tables. It reads nothing: the seq of the
        // board's entry before the commit (its prev) was worked out under the write lock, as this instance made the
        // commit before on this board (TrailSignal). Only the head tick, if it falls in this moment, reads that index.
        var seqReads = app.Log.Background
            .Where(c => c.StartsWith("SELECT \"a\".\"Seq\"\nFROM \"audit_entries\"", StringComparison.Ordinal) && c.Contains("\"a\".\"BoardId\" = @boardId")).ToList();
        Assert.True(seqReads.Count <= 1, $"{seqReads.Count} reads of the board's previous seq:\n{string.Join("\n---\n", seqReads)}");
        Assert.Equal(boardSeqBefore, commit.Prev);
        var broadcastReads = app.Log.Background.Except(seqReads)
            .Where(c => new[] { "\"proposals\"", "\"approvals\"", "\"comments\"", "\"audit_entries\"" }.Any(c.Contains)).ToList();
        Assert.True(broadcastReads.Count == 0, $"broadcasting read the database:\n{string.Join("\n---\n", broadcastReads)}");
        // The entries read back through EF Core as they were chained: GUIDs and instants stored as EF Core stores them,
        // which every trail query filters on. (Read here, after the background log is checked: it is outside any request.)
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var stored = await db.Trail.AsNoTracking().Where(e => e.ProposalId == proposal.Id && e.ActorId == commit.Entries[0].Actor.Id && e.BoardId == board.Id)
                .OrderBy(e => e.Seq).ToListAsync();
            Assert.Equal(commit.Entries.Select(e => (e.Seq, e.Hash)), stored.TakeLast(2).Select(e => (e.Seq, e.Hash)));
            Assert.All(stored.TakeLast(2), e => Assert.Equal(e.Hash, Board.Domain.Trail.HashChain.Compute(e)));
        }
    }

    [Fact]
    public Task LateApproval_OfAnExecutedProposal_IsRefusedWithoutTheWriteLock() => LateApprovalTakesNoLock.CheckAsync(app, app.Log);
}

/// <summary>The counting app on PostgreSQL.</summary>
public sealed class PostgresCountingApp : PostgresBoardApp
{
    public CommandLog Log { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Realtime:PollMilliseconds"] = "600000" };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        // The statements a writer's turn runs itself, past EF Core's interceptors (SQLite only).
        if (Services.GetService<SqliteStatements>() is { } statements) statements.Executing += Log.Written;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services
            .AddHttpContextAccessor()
            .ConfigureDbContext<PostgresBoardDb>(o => o.AddInterceptors(Log), ServiceLifetime.Singleton));
    }
}

/// <summary>
/// On PostgreSQL every command under the write lock is a network round trip that keeps the writers queued behind it
/// waiting. The deciding approval's, in EF Core commands: 1 the proposal's version with which approvers still count,
/// 1 the webhooks, 1 the Web Push devices, 1 the save (Npgsql sends the approval, both entries, the proposal's update
/// and the tree's nodes in one batch). The lock itself comes with the trail head in one more round trip of Board's
/// own (not an EF Core command), and the tree's edge is the one this instance's previous commit left: neither is read
/// again. 4 commands, down from 9 when the proposal, its comments, photos, the approvers, the head and the edge were
/// each read under the lock.
/// </summary>
[Trait("Kind", "Api")]
public sealed class PostgresRoundTripTests(PostgresCountingApp app) : IClassFixture<PostgresCountingApp>
{
    private const int LockedBudget = 4;

    [Fact]
    public async Task DecidingApproval_UnderTheLock_RunsFourCommands_AndReadsNeitherHeadNorEdge()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        var proposal = await author.PostAsync(board.Id, "Count the round trips of one approval on PostgreSQL");
        Assert.Equal(HttpStatusCode.OK, (await ops1.ApproveAsync(proposal.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops2.ApproveAsync(proposal.Id)).StatusCode);

        app.Log.Clear();
        var deciding = await ops3.ApproveAsync(proposal.Id);
        var locked = app.Log.InTransaction;

        Assert.Equal(HttpStatusCode.OK, deciding.StatusCode);
        Assert.Contains("\"executed\"", await deciding.Content.ReadAsStringAsync());
        var shown = string.Join("\n---\n", locked);
        Assert.True(locked.Count is >= 3 and <= LockedBudget, $"{locked.Count} SQL commands under the write lock (budget {LockedBudget}):\n{shown}");
        Assert.DoesNotContain(locked, c => c.Contains("FROM audit_entries", StringComparison.Ordinal));
        Assert.DoesNotContain(locked, c => c.Contains("FROM trail_nodes", StringComparison.Ordinal));
        Assert.DoesNotContain(locked, c => c.Contains("FROM comments", StringComparison.Ordinal) || c.Contains("FROM attachments", StringComparison.Ordinal));
        Assert.Contains(locked, c => c.Contains("INSERT INTO trail_nodes", StringComparison.Ordinal));
    }

    [Fact]
    public Task LateApproval_OfAnExecutedProposal_IsRefusedWithoutTheWriteLock() => LateApprovalTakesNoLock.CheckAsync(app, app.Log);
}

/// <summary>
/// A late approval (the quorum was reached a moment ago) is refused not-open on the proposal read before the write
/// lock: a closed proposal never opens again, so the writers queued for the lock do not wait behind a refusal.
/// Nothing runs inside a transaction for it.
/// </summary>
internal static class LateApprovalTakesNoLock
{
    public static async Task CheckAsync(BoardApp app, CommandLog log)
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        using var ops4 = await app.SignInAsync("ops4");
        var proposal = await author.PostAsync(board.Id, "Refuse the late approval before the lock");
        foreach (var ops in new[] { ops1, ops2, ops3 }) Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(proposal.Id)).StatusCode);

        log.Clear();
        var late = await ops4.ApproveAsync(proposal.Id);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("\"not-open\"", await late.Content.ReadAsStringAsync());
        Assert.Contains(log.Commands, c => c.Contains("approvals", StringComparison.Ordinal));
        Assert.True(log.InTransaction.Count == 0, $"the late approval ran commands under the write lock:\n{string.Join("\n---\n", log.InTransaction)}");

        // Still three approvals, executed once.
        var stored = await ops4.GetAsync(proposal.Id);
        Assert.Equal("executed", stored.Status);
        Assert.Equal(3, stored.Approvals.Count);
    }
}
