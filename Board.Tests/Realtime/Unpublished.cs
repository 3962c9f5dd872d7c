using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Realtime;

/// <summary>
/// A commit that no hub message ever announces: written to the app's database through the domain by a context with
/// no commit observers, as an instance killed between its commit and its publish leaves it.
/// </summary>
public static class Unpublished
{
    public static async Task<Guid> PostUnpublishedAsync(this BoardApp app, Guid boardId, string title, string authorEmail = "staff1@demo.board")
    {
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        await using BoardDb db = app.Database.Provider == DatabaseProvider.Sqlite
            ? SqliteBoardDb.Create(services.GetRequiredService<DbContextOptions<SqliteBoardDb>>(), services.GetRequiredService<SqliteGroupCommit>())
            : PostgresBoardDb.Create(services.GetRequiredService<DbContextOptions<PostgresBoardDb>>());
        await db.BeginWriteAsync(default);
        var board = await db.Boards.SingleAsync(b => b.Id == boardId);
        var author = (await db.Users.SingleAsync(u => u.Email == authorEmail)).ToMember([Roles.Staff]);
        var proposal = Proposal.Post(board, author, title, "Committed, never announced.", null, DateTimeOffset.UtcNow);
        db.Proposals.Add(proposal);
        await db.CommitAsync(default);
        return proposal.Id;
    }
}
