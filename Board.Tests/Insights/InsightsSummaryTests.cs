using System.Text.Json;
using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Insights;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Board.Tests.Insights;

/// <summary>
/// Insights from the summary the database keeps (<see cref="InsightsSummary"/>) give exactly the figures the whole
/// trail gives (<see cref="InsightsCalculator"/>, the reference), for random histories: half of each written before
/// the summary's migration (so the migration's backfill made its rows), half after (so the trigger did).
/// </summary>
[Trait("Kind", "Domain")]
public abstract class InsightsSummaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    protected abstract Task<BoardDb> OpenAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task SummaryFigures_EqualTheTrailsFigures_ForRandomHistories(int seed)
    {
        var random = new Random(seed);
        var (facts, boards) = History(random);
        var half = facts.Count / 2;

        string before;
        await using (var db = await OpenAsync())
        {
            var migrations = db.Database.GetMigrations().ToList();
            before = migrations[migrations.FindIndex(m => m.EndsWith("_InsightsSummary", StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(before);
        }
        var head = await AppendAsync((0, HashChain.Genesis), facts.Take(half));
        await using (var db = await OpenAsync())
        {
            await db.Database.MigrateAsync();
            Assert.True(await db.Set<ProposalTimeline>().AnyAsync(), "the migration filled no summary rows from the trail");
        }
        await AppendAsync(head, facts.Skip(half));

        await using var read = await OpenAsync();
        var rows = await read.Trail.AsNoTracking().Where(e => e.ProposalId != null && InsightsCalculator.Actions.Contains(e.Action))
            .OrderBy(e => e.Seq).Select(e => new { e.BoardId, Row = new InsightRow(e.At, e.Action, e.ProposalId!.Value, e.ActorId, e.ActorName) }).ToListAsync();
        Guid?[] filters = [null, .. boards, Guid.NewGuid()];
        var periods = Periods(random).ToList();
        var nonEmpty = 0;
        foreach (var (from, to) in periods)
        {
            foreach (var board in filters)
            {
                var reference = InsightsCalculator.Compute([.. rows.Where(r => board is null || r.BoardId == board).Select(r => r.Row)], from, to, board);
                var summary = await InsightsSummary.ReadAsync(read, from, to, board, CancellationToken.None);
                Assert.Equal(Json(reference), Json(summary));
                if (reference.Approvers.Count > 0 && reference.PostingToExecution.Count > 0) nonEmpty++;
            }
        }
        // The comparison means something only if most periods had figures to compare.
        Assert.True(nonEmpty > periods.Count, $"only {nonEmpty} non-empty comparisons");
    }

    private static string Json(InsightsDto dto) => JsonSerializer.Serialize(dto);

    /// <summary>Appends the facts as chained entries, a few hundred per transaction, and returns the new head.</summary>
    private async Task<(long Seq, string Hash)> AppendAsync((long Seq, string Hash) head, IEnumerable<TrailFact> facts)
    {
        foreach (var batch in facts.Chunk(300))
        {
            await using var db = await OpenAsync();
            foreach (var fact in batch)
            {
                var entry = AuditEntry.Append(head.Seq, head.Hash, fact);
                db.Trail.Add(entry);
                head = (entry.Seq, entry.Hash);
            }
            await db.SaveChangesAsync();
        }
        return head;
    }

    /// <summary>
    /// Proposals on three boards over about 200 days: posted, approved by some of eight approvers (who are renamed now
    /// and then, and one approval in a while comes with no member id), then executed (at the deciding approval's
    /// millisecond, or now and then before it was posted, as a lagging clock records it), done (some on the very
    /// millisecond where hours round, some before the execution), withdrawn, expired or left open; comments and edits in between. Entries go into the trail
    /// roughly in time order, with neighbours swapped now and then as commits racing for the lock would.
    /// </summary>
    private static (List<TrailFact> Facts, Guid[] Boards) History(Random random)
    {
        var boards = Enumerable.Range(0, 3).Select(_ => Guid.CreateVersion7()).ToArray();
        var approvers = Enumerable.Range(0, 8).Select(i => (Id: Guid.CreateVersion7(), Name: $"Approver {i}")).ToArray();
        var author = new Actor(Guid.CreateVersion7(), "Author");
        var facts = new List<TrailFact>();
        var data = new JsonObject();
        for (var p = 0; p < 160; p++)
        {
            var (proposal, board) = (Guid.CreateVersion7(), boards[random.Next(boards.Length)]);
            var at = T0.AddMilliseconds(random.NextInt64(200L * 86_400_000));
            TrailFact Fact(string action, Actor actor, DateTimeOffset when) => new(action, actor, when, board, proposal, data);
            facts.Add(Fact(TrailActions.ProposalPosted, author, at));
            if (random.Next(4) == 0) facts.Add(Fact(TrailActions.CommentAdded, author, at.AddMinutes(random.Next(1, 600))));
            var fate = random.Next(10);
            var count = fate < 6 ? 3 : random.Next(0, 3);
            var when = at;
            foreach (var k in Enumerable.Range(0, approvers.Length).OrderBy(_ => random.Next()).Take(count))
            {
                when = when.AddMilliseconds(random.NextInt64(1, 40L * 3_600_000));
                if (random.Next(12) == 0) approvers[k].Name = $"Approver {k} renamed {random.Next(100)}";
                var actor = random.Next(40) == 0 ? new Actor(null, "Imported approval") : new Actor(approvers[k].Id, approvers[k].Name);
                facts.Add(Fact(TrailActions.ApprovalAdded, actor, when));
                // Now and then the same approver at the same instant on another board too, under another name: which
                // name Insights shows then rests on the order of the trail alone.
                if (random.Next(10) == 0)
                    facts.Add(new TrailFact(TrailActions.ApprovalAdded, actor with { Name = $"{actor.Name} elsewhere" }, when,
                        boards[(Array.IndexOf(boards, board) + 1) % boards.Length], Guid.CreateVersion7(), data));
            }
            if (fate < 6)
            {
                // Now and then recorded by an instance whose clock is behind: before the step it counts from.
                var executedAt = random.Next(20) == 0 ? at.AddMilliseconds(-random.NextInt64(1, 2L * 3_600_000)) : when;
                facts.Add(Fact(TrailActions.ProposalExecuted, Actor.System, executedAt));
                if (random.Next(2) == 0)
                {
                    // Some durations fall exactly where hours round (multiples of 18 s), some on the hundredth itself.
                    var doneAfter = random.Next(6) switch
                    {
                        0 => 18_000L * random.Next(1, 60_000),
                        1 => -random.NextInt64(1, 3_600_000),
                        _ => random.NextInt64(1, 300L * 3_600_000),
                    };
                    facts.Add(Fact(TrailActions.ProposalCompleted, author, executedAt.AddMilliseconds(doneAfter)));
                }
            }
            else if (fate == 6) facts.Add(Fact(TrailActions.ProposalWithdrawn, author, when.AddHours(random.Next(1, 100))));
            else if (fate == 7) facts.Add(Fact(TrailActions.ProposalExpired, Actor.System, at.AddDays(14)));
            else if (random.Next(2) == 0) facts.Add(Fact(TrailActions.ProposalEdited, author, when.AddMinutes(5)));
        }
        var ordered = facts.OrderBy(f => f.At).ToList();
        for (var i = 1; i < ordered.Count; i++)
            if (random.Next(15) == 0) (ordered[i - 1], ordered[i]) = (ordered[i], ordered[i - 1]);
        return (ordered, boards);
    }

    /// <summary>Periods of every shape: to the millisecond, from an hour to 16 weeks, some on midnights and Mondays, and the default 12 weeks.</summary>
    private static IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Periods(Random random)
    {
        for (var i = 0; i < 24; i++)
        {
            var from = T0.AddMilliseconds(random.NextInt64(-5L * 86_400_000, 190L * 86_400_000));
            var to = from.AddMilliseconds(random.NextInt64(3_600_000, 112L * 86_400_000));
            if (i % 4 == 0) (from, to) = (Midnight(from), Midnight(to).AddDays(1));
            yield return (from, to);
        }
        var monday = new DateTimeOffset(2026, 5, 4, 0, 0, 0, TimeSpan.Zero);
        yield return (monday, monday.AddDays(7 * 12));
        var now = T0.AddDays(150).AddMilliseconds(12_345);
        yield return (now.AddDays(-7 * InsightsEndpoints.DefaultWeeks), now);
        yield return (now.AddHours(-3), now);
    }

    private static DateTimeOffset Midnight(DateTimeOffset at) => new(at.UtcDateTime.Date, TimeSpan.Zero);
}

[Trait("Kind", "Domain")]
public sealed class SqliteInsightsSummaryTests : InsightsSummaryTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("board-insights-").FullName;

    protected override Task<BoardDb> OpenAsync() => Task.FromResult<BoardDb>(SqliteBoardDb.Create(
        new DbContextOptionsBuilder<SqliteBoardDb>().UseSqlite($"Data Source={Path.Combine(_folder, "board.db")}").Options, new SqliteGroupCommit()));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

[Trait("Kind", "Domain")]
public sealed class PostgresInsightsSummaryTests : InsightsSummaryTests, IAsyncLifetime
{
    private readonly string _name = TestPostgres.NewName();

    protected override Task<BoardDb> OpenAsync() => Task.FromResult<BoardDb>(PostgresBoardDb.Create(
        new DbContextOptionsBuilder<PostgresBoardDb>().UseNpgsql(TestPostgres.ConnectionString(_name)).Options));

    public Task InitializeAsync() => TestPostgres.CreateDatabaseAsync(_name);

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_name);
}
