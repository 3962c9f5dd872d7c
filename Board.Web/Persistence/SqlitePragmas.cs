using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Board.Web.Persistence;

/// <summary>
/// Per-connection settings. synchronous=FULL: a commit the client saw acknowledged survives power loss,
/// not only a process crash — an approval is a decision and must never be lost. busy_timeout lets
/// concurrent writers queue for the write lock instead of failing.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(ct);
    }
}
