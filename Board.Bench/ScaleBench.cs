using System.Diagnostics;
using Board.Web.Insights;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Bench;

/// <summary>
/// (5b) the same reads at growing trail sizes (10⁴, 10⁵, 10⁶ entries): one SQLite file, grown by
/// <see cref="TrailGenerator"/> (Board's own migrations and triggers, so the Insights summary is kept as the app keeps
/// it), read after each step through Board's own code where it is callable (<see cref="InsightsSummary"/>) and through
/// the same EF Core queries as the endpoints otherwise. A cost that stays flat is O(page); one that grows reads history.
/// </summary>
public static class ScaleBench
{
    public static async Task<List<ScaleStep>> RunAsync(string work, IReadOnlyList<long> sizes, int repeats, CancellationToken ct)
    {
        var path = Path.Combine(work, "scale.db");
        var steps = new List<ScaleStep>();
        long have = 0;
        foreach (var size in sizes)
        {
            // Pooled connections would keep the file open: the generator switches its journal mode, which needs it alone.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var fill = Stopwatch.StartNew();
            var head = await TrailGenerator.FillAsync(path, size - have, ct);
            have = size;
            var filled = fill.Elapsed.TotalSeconds;

            var options = new DbContextOptionsBuilder<SqliteBoardDb>().UseSqlite($"Data Source={path}").Options;
            await using var db = SqliteBoardDb.Create(options, new SqliteGroupCommit());
            var end = DateTimeOffset.Parse(head.At!, System.Globalization.CultureInfo.InvariantCulture).AddMilliseconds(1);
            var board = (await db.Trail.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => e.BoardId).FirstAsync(ct))!.Value;
            var middle = head.Seq / 2;

            async Task<Percentiles> Time(Func<Task> read)
            {
                for (var i = 0; i < 2; i++) await read();
                var ms = new List<double>();
                for (var i = 0; i < repeats; i++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    await read();
                    ms.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
                return Percentiles.Of(ms);
            }

            steps.Add(new ScaleStep(head.Seq, filled, new FileInfo(path).Length,
                await Time(() => InsightsSummary.ReadAsync(db, end.AddDays(-7 * InsightsEndpoints.DefaultWeeks), end, null, ct)),
                await Time(() => InsightsSummary.ReadAsync(db, end.AddDays(-1), end, board, ct)),
                await Time(() => db.Trail.AsNoTracking().OrderByDescending(e => e.Seq).Take(50).ToListAsync(ct)),
                await Time(() => db.Trail.AsNoTracking().Where(e => e.BoardId == board && e.Seq < middle).OrderByDescending(e => e.Seq).Take(50).ToListAsync(ct)),
                await Time(() => db.Trail.AsNoTracking().Where(e => e.BoardId == board && e.Seq > head.Seq - 500).OrderBy(e => e.Seq).Take(500).ToListAsync(ct))));
            Log.Line($"  {head.Seq:N0} entries (filled in {filled:F1} s): insights 12 weeks p50 {steps[^1].Insights12Weeks.P50:F1} ms, last day {steps[^1].InsightsLastDay.P50:F1} ms, audit page {steps[^1].AuditPage.P50:F1} ms");
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return steps;
    }
}
