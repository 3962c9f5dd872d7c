using System.Net;
using Board.Domain.Proposals;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Persistence;

/// <summary>
/// On SQLite a writer's turn writes an approval's rows itself (<see cref="SqliteRows"/>), past EF Core's save. What it
/// stores must be what EF Core's save would store — the same column types and values (GUID text, Unix milliseconds,
/// the status as text) — or every query that filters on them would quietly miss rows.
/// </summary>
[Trait("Kind", "Api")]
public sealed class SqliteRowsTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task The_rows_an_approval_writes_itself_are_those_EF_Cores_save_writes()
    {
        var board = await app.FirstBoardAsync();
        ProposalDto proposal;
        using (var author = await app.SignInAsync("staff1")) proposal = await author.PostAsync(board.Id, "Rows written by the turn itself");
        foreach (var who in new[] { "ops1", "ops2", "ops3" })
        {
            using var approver = await app.SignInAsync(who);
            Assert.Equal(HttpStatusCode.OK, (await approver.ApproveAsync(proposal.Id)).StatusCode);
        }

        // As the turn wrote them: the proposal executed (its status, version, instants changed) and three approvals added.
        var proposalRow = await RowsAsync("proposals", proposal.Id);
        var approvalRows = await RowsAsync("approvals", proposal.Id);
        Assert.Equal(3, approvalRows.Count);
        Assert.Contains("'Executed'", proposalRow[0]);

        // The same entities written by EF Core's own save: the proposal with every column marked changed, the approvals
        // deleted and added again.
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var loaded = await db.Proposals.Include(p => p.Approvals).SingleAsync(p => p.Id == proposal.Id);
            var entry = db.Entry(loaded);
            foreach (var property in entry.Properties.Where(p => !p.Metadata.IsPrimaryKey())) property.IsModified = true;
            Assert.Equal(1, await db.SaveChangesAsync());

            var approvals = await db.Set<Approval>().AsNoTracking().Where(a => a.ProposalId == proposal.Id).ToListAsync();
            await db.Set<Approval>().Where(a => a.ProposalId == proposal.Id).ExecuteDeleteAsync();
            db.ChangeTracker.Clear();
            db.AddRange(approvals);
            Assert.Equal(3, await db.SaveChangesAsync());
        }

        Assert.Equal(proposalRow, await RowsAsync("proposals", proposal.Id));
        Assert.Equal(approvalRows, await RowsAsync("approvals", proposal.Id));

        // And EF Core finds them by what it binds for a GUID and an instant.
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var read = await db.Proposals.AsNoTracking().Include(p => p.Approvals).SingleAsync(p => p.Id == proposal.Id);
            Assert.Equal(ProposalStatus.Executed, read.Status);
            Assert.Equal(3, read.Approvals.Count);
            Assert.Equal(3, await db.Set<Approval>().CountAsync(a => a.ProposalId == proposal.Id && a.At <= read.ExecutedAt));
        }
    }

    /// <summary>Each row of <paramref name="table"/> for the proposal, every column as SQLite holds it (type and value), in the order of their ids.</summary>
    private async Task<List<string>> RowsAsync(string table, Guid proposalId)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        await connection.OpenAsync();
        var key = table == "proposals" ? "Id" : "ProposalId";
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" WHERE \"{key}\" = $id ORDER BY \"Id\"";
        command.Parameters.AddWithValue("$id", proposalId.ToString().ToUpperInvariant());
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i =>
                $"{reader.GetName(i)}={reader.GetFieldType(i).Name}:" + (reader.IsDBNull(i) ? "null" : reader.GetValue(i) is string s ? $"'{s}'" : reader.GetValue(i)))));
        return rows;
    }
}
