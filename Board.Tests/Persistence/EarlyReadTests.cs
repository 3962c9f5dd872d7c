using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Persistence;

/// <summary>
/// Runs a piece of work, once, the moment a request has read a proposal's photos outside any transaction: the last of
/// the reads a change makes before it takes the write lock. What the work commits lands between the change's early
/// read and its lock.
/// </summary>
public sealed class BetweenReadAndLock : DbCommandInterceptor
{
    private Func<Task>? _work;

    public void Once(Func<Task> work) => _work = work;

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken ct = default)
    {
        // Quoted on SQLite, bare on PostgreSQL.
        if (command.Transaction is null && command.CommandText.Replace("\"", "").Contains("FROM attachments", StringComparison.Ordinal)
            && Interlocked.Exchange(ref _work, null) is { } work)
            await work();
        return result;
    }
}

public sealed class EarlyReadApp : BoardApp
{
    public BetweenReadAndLock Hook { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureDbContext<SqliteBoardDb>(o => o.AddInterceptors(Hook), ServiceLifetime.Singleton));
    }
}

public sealed class PostgresEarlyReadApp : PostgresBoardApp
{
    public BetweenReadAndLock Hook { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureDbContext<PostgresBoardDb>(o => o.AddInterceptors(Hook), ServiceLifetime.Singleton));
    }
}

/// <summary>
/// A change reads its proposal before it takes the write lock and, under the lock, only checks the proposal's version
/// (<see cref="ProposalQueries.FindForChangeAsync"/>). When another change commits in between, the check must see it
/// and the change must decide on the proposal as it is now: here the second approval lands in that gap, so the third
/// approver's is the one that decides, and executes the proposal once.
/// </summary>
[Trait("Kind", "Api")]
public abstract class EarlyReadTests(BoardApp app, BetweenReadAndLock hook)
{
    [Fact]
    public async Task ApprovalCommittedBetweenEarlyReadAndLock_IsSeen_AndTheProposalExecutesOnce()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        var proposal = await author.PostAsync(board.Id, "Read early, decide on what is current");
        Assert.Equal(HttpStatusCode.OK, (await ops1.ApproveAsync(proposal.Id)).StatusCode);

        HttpStatusCode? between = null;
        hook.Once(async () => between = (await ops2.ApproveAsync(proposal.Id)).StatusCode);
        var deciding = await ops3.ApproveAsync(proposal.Id);

        Assert.Equal(HttpStatusCode.OK, between);
        Assert.Equal(HttpStatusCode.OK, deciding.StatusCode);
        var view = (await deciding.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Equal("executed", view.Status);
        Assert.Equal(new[] { ops1.Member.Id, ops2.Member.Id, ops3.Member.Id }.Order(), view.Approvals.Select(a => a.MemberId).Order());

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        var actions = await db.Trail.AsNoTracking().Where(e => e.ProposalId == proposal.Id).OrderBy(e => e.Seq).Select(e => e.Action).ToListAsync();
        Assert.Equal(["proposal.posted", "approval.added", "approval.added", "approval.added", "proposal.executed"], actions);
    }
}

public sealed class SqliteEarlyReadTests(EarlyReadApp app) : EarlyReadTests(app, app.Hook), IClassFixture<EarlyReadApp>;

public sealed class PostgresEarlyReadTests(PostgresEarlyReadApp app) : EarlyReadTests(app, app.Hook), IClassFixture<PostgresEarlyReadApp>;
