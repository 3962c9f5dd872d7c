using Board.Web.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Board.Web.Health;

/// <summary>
/// Ready when the database answers a real query on the trail's head: an open connection alone proves too little. On
/// SQLite the query runs on a connection opened for it, read-write and never created: the contexts keep theirs open
/// (with their prepared statements), and a connection opened before the file went away would go on answering from it.
/// </summary>
public sealed class DatabaseHealthCheck(BoardDb db, BoardDatabase database) : IHealthCheck
{
    private const string HeadQuery = """SELECT "Seq" FROM "audit_entries" ORDER BY "Seq" DESC LIMIT 1""";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        try
        {
            var head = database.Provider == DatabaseProvider.Sqlite
                ? await SqliteHeadAsync(ct)
                : await db.Trail.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => (long?)e.Seq).FirstOrDefaultAsync(ct);
            return HealthCheckResult.Healthy($"trail head {head ?? 0}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The database does not answer", ex);
        }
    }

    private async Task<long?> SqliteHeadAsync(CancellationToken ct)
    {
        var connectionString = new SqliteConnectionStringBuilder(database.ConnectionString) { Pooling = false, Mode = SqliteOpenMode.ReadWrite };
        await using var connection = new SqliteConnection(connectionString.ToString());
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = HeadQuery;
        return await command.ExecuteScalarAsync(ct) is long seq ? seq : null;
    }
}
