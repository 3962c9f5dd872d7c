using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Board.Web.Persistence;

/// <summary>
/// Per-connection settings. synchronous=FULL: a commit the client saw acknowledged survives power loss,
/// not only a process crash — an approval is a decision and must never be lost. busy_timeout lets
/// concurrent writers queue for the write lock instead of failing. The settings stay with SQLite's own connection, which
/// Microsoft.Data.Sqlite pools and hands out again: they are set once per pooled connection, not on every open (every
/// request opens one).
/// <para>
/// A connection given to <see cref="KeepOpen"/> (a pooled context's own) stays open once EF Core has opened it: EF Core
/// would close it after every query, and closing a SQLite connection drops the statements prepared on it.
/// </para>
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";

    private static readonly ConditionalWeakTable<object, object> Configured = [];
    private static readonly ConditionalWeakTable<SqliteConnection, object> Kept = [];

    /// <summary>EF Core opens <paramref name="connection"/> when it first needs it, and never closes it again.</summary>
    public static void KeepOpen(SqliteConnection connection) => Kept.AddOrUpdate(connection, Kept);

    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        connection is SqliteConnection sqlite && Kept.TryGetValue(sqlite, out _) ? InterceptionResult.Suppress() : result;

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        ValueTask.FromResult(ConnectionClosing(connection, eventData, result));

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!FirstOpen(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        Remember(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        if (!FirstOpen(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(ct);
        Remember(connection);
    }

    private static bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || !Configured.TryGetValue(handle, out _);

    private static void Remember(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) Configured.AddOrUpdate(handle, Configured);
    }
}
