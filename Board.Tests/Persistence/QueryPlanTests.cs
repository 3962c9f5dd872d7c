using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Board.Tests.Persistence;

/// <summary>Every query an API request runs, with its parameters, so that its plan can be asked for afterwards.</summary>
public sealed class QueryLog : DbCommandInterceptor
{
    public sealed record Query(string Request, string Sql, IReadOnlyList<(string Name, object? Value, System.Data.DbType Type)> Parameters);

    private readonly ConcurrentQueue<Query> _queries = new();
    private readonly HttpContextAccessor _request = new();

    public IReadOnlyList<Query> For(string request) => [.. _queries.Where(q => q.Request == request)];

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Capture(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Capture(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Capture(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Capture(command);
        return ValueTask.FromResult(result);
    }

    private void Capture(DbCommand command)
    {
        if (_request.HttpContext is not { } http || !http.Request.Path.StartsWithSegments("/api")) return;
        _queries.Enqueue(new Query(http.Request.Path + http.Request.QueryString, command.CommandText,
            [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value, p.DbType))]));
    }
}

public sealed class PlanApp : BoardApp
{
    public QueryLog Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddHttpContextAccessor().ConfigureDbContext<SqliteBoardDb>(o => o.AddInterceptors(Log), ServiceLifetime.Singleton));
    }
}

public sealed class PostgresPlanApp : PostgresBoardApp
{
    public QueryLog Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddHttpContextAccessor().ConfigureDbContext<PostgresBoardDb>(o => o.AddInterceptors(Log), ServiceLifetime.Singleton));
    }
}

/// <summary>
/// The reads that must stay O(page) however long the trail grows — the audit pages, <c>events?after=</c>, Waiting for
/// me, My proposals, and Insights — are answered from indexes: every SQL command they run is planned (EXPLAIN QUERY
/// PLAN on SQLite, EXPLAIN on PostgreSQL) and none reads a whole table. On SQLite a scan is allowed only when it walks
/// an index or the key in the order asked for and stops at the page's LIMIT (no sort of everything first); PostgreSQL,
/// whose planner rightly prefers a sequential scan of a table this small, is asked with <c>enable_seqscan = off</c>, so
/// a <c>Seq Scan</c> in its plan means that no index could answer.
/// </summary>
[Trait("Kind", "Api")]
public abstract class QueryPlanTests(BoardApp app, QueryLog log)
{
    // The tables that grow with the trail.
    private static readonly string[] Large = ["audit_entries", "proposals", "approvals", "comments", "insight_proposals", "insight_approver_days", "insight_outcome_days", "insight_outcome_classes"];

    [Fact]
    public async Task PagedReads_AreAnsweredFromIndexes_NotFullScans()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff1");
        using var ops = await app.SignInAsync("ops1");
        using var manager = await app.SignInAsync("manager");
        var proposal = await staff.PostAsync(board.Id, "Plan the reads of a long trail");
        Assert.Equal(HttpStatusCode.OK, (await ops.ApproveAsync(proposal.Id)).StatusCode);
        // One executed too, so that Insights has a duration to find the percentiles of (its second-level read).
        var decided = await staff.PostAsync(board.Id, "Plan the reads of an executed proposal");
        foreach (var name in new[] { "ops1", "ops2", "ops3" })
        {
            using var approver = await app.SignInAsync(name);
            Assert.Equal(HttpStatusCode.OK, (await approver.ApproveAsync(decided.Id)).StatusCode);
        }
        var head = (await manager.Client.GetFromJsonAsync<TrailPage>("/api/audit?limit=1", BoardApp.Json))!.HeadSeq;
        var day = DateTimeOffset.UtcNow.Date;

        (Session Who, string Request)[] reads =
        [
            (manager, "/api/audit?limit=50"),
            (manager, $"/api/audit?before={head}&limit=50"),
            (manager, "/api/audit?after=2&limit=50"),
            (manager, $"/api/audit?boardId={board.Id}&limit=50"),
            (manager, $"/api/audit?boardId={board.Id}&after=2&limit=50"),
            (manager, $"/api/audit?proposalId={proposal.Id}"),
            (manager, $"/api/audit?actorId={ops.Member.Id}&limit=50"),
            (manager, "/api/audit?action=approval.added&limit=50"),
            (staff, $"/api/boards/{board.Id}/events?after={head - 3}"),
            (ops, "/api/me/waiting"),
            (staff, "/api/me/proposals"),
            (staff, "/api/me/proposals?status=open&page=2"),
            (manager, "/api/insights"),
            (manager, $"/api/insights?boardId={board.Id}&from={day.AddDays(-30):yyyy-MM-ddT06:00:00Z}&to={day:yyyy-MM-ddT18:00:00Z}"),
        ];
        var failures = new List<string>();
        foreach (var (who, request) in reads)
        {
            Assert.Equal(HttpStatusCode.OK, (await who.Client.GetAsync(request)).StatusCode);
            var queries = log.For(request);
            Assert.NotEmpty(queries);
            foreach (var query in queries)
            {
                var plan = await PlanAsync(query);
                if (FullScan(query.Sql, plan) is { } scan) failures.Add($"{request}: {scan}\n{query.Sql}\n{string.Join("\n", plan)}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        // Insights' every level was planned: the days, the classes of a percentile, the outcomes recorded early.
        var insights = log.For("/api/insights").Select(q => q.Sql).ToList();
        foreach (var part in new[] { "insight_outcome_days", "insight_outcome_classes", "\"ExecutedAt\" < \"PostedAt\"" })
            Assert.Contains(insights, sql => sql.Contains(part, StringComparison.Ordinal));
    }

    protected abstract Task<List<string>> PlanAsync(QueryLog.Query query);

    /// <summary>What in <paramref name="plan"/> reads a large table whole, or null.</summary>
    protected abstract string? FullScan(string sql, IReadOnlyList<string> plan);

    /// <summary>The table a plan line reads, through the aliases EF Core gives (<c>FROM "proposals" AS "p"</c>), if it is a large one.</summary>
    protected static bool IsLarge(string sql, string line)
    {
        var aliases = System.Text.RegularExpressions.Regex.Matches(sql, "\"(\\w+)\" AS \"(\\w+)\"")
            .GroupBy(m => m.Groups[2].Value).ToDictionary(g => g.Key, g => g.First().Groups[1].Value);
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Any(w => Large.Contains(aliases.GetValueOrDefault(w.Trim('"'), w.Trim('"'))));
    }

    protected static void AddParameters(DbCommand command, QueryLog.Query query)
    {
        foreach (var (name, value, type) in query.Parameters)
        {
            var p = command.CreateParameter();
            (p.ParameterName, p.Value) = (name, value ?? DBNull.Value);
            if (type != System.Data.DbType.Object) p.DbType = type;
            command.Parameters.Add(p);
        }
    }
}

[Trait("Kind", "Api")]
public sealed class SqliteQueryPlanTests(PlanApp app) : QueryPlanTests(app, app.Log), IClassFixture<PlanApp>
{
    protected override async Task<List<string>> PlanAsync(QueryLog.Query query)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query.Sql;
        AddParameters(command, query);
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        return plan;
    }

    // SEARCH is an index or key lookup. SCAN of a large table is whole unless it walks the order asked for and a LIMIT stops it.
    protected override string? FullScan(string sql, IReadOnlyList<string> plan)
    {
        var sorts = plan.Any(l => l.Contains("TEMP B-TREE", StringComparison.Ordinal));
        var limited = sql.Contains("LIMIT", StringComparison.Ordinal);
        return plan.FirstOrDefault(l => l.StartsWith("SCAN ", StringComparison.Ordinal) && IsLarge(sql, l) && (sorts || !limited));
    }
}

[Trait("Kind", "Api")]
public sealed class PostgresQueryPlanTests(PostgresPlanApp app) : QueryPlanTests(app, app.Log), IClassFixture<PostgresPlanApp>
{
    protected override async Task<List<string>> PlanAsync(QueryLog.Query query)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection)) await off.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + query.Sql, connection);
        AddParameters(command, query);
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        return plan;
    }

    protected override string? FullScan(string sql, IReadOnlyList<string> plan) =>
        plan.FirstOrDefault(l => l.Contains("Seq Scan on ", StringComparison.Ordinal) && IsLarge(sql, l));
}
