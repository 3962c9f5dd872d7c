using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Board.Web.Persistence;

/// <summary>What a database error means, decided here so that no provider type leaves Persistence.</summary>
public static class DatabaseErrors
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteConstraint = 19;

    /// <summary>
    /// The database was too busy to answer in time: SQLite busy/locked past busy_timeout, PostgreSQL lock_not_available
    /// (the write lock's lock_timeout), a serialization failure or deadlock. Worth retrying later: 503 <c>busy</c>.
    /// </summary>
    public static bool IsBusy(Exception exception) => Unwrap(exception).Any(e => e switch
    {
        SqliteException s => s.SqliteErrorCode is SqliteBusy or SqliteLocked,
        PostgresException p => p.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.SerializationFailure
            or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.TooManyConnections,
        NpgsqlException { InnerException: TimeoutException } => true,
        _ => false,
    });

    /// <summary>A constraint refused the write (unique approval, the trail's chain trigger): the change raced another one. 409.</summary>
    public static bool IsConflict(Exception exception) =>
        exception is DbUpdateConcurrencyException || Unwrap(exception).Any(e => e switch
        {
            SqliteException s => s.SqliteErrorCode == SqliteConstraint,
            PostgresException p => p.SqlState.StartsWith("23", StringComparison.Ordinal),
            _ => false,
        });

    /// <summary>The database could not be reached or opened at all (wrong host, port, password, file).</summary>
    public static bool IsUnreachable(Exception exception) => Unwrap(exception).Any(e => e switch
    {
        PostgresException p => p.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification,
        NpgsqlException and not PostgresException => true,
        SqliteException s => s.SqliteErrorCode is 14 or 26, // CANTOPEN, NOTADB
        System.Net.Sockets.SocketException => true,
        _ => false,
    });

    /// <summary>
    /// The database cannot serve right now: unreachable (refused, reset, a connection broken mid-command), shutting
    /// down, restarting or failing over (PostgreSQL class 08 connection exceptions and 57P operator intervention:
    /// admin_shutdown, crash_shutdown, cannot_connect_now), or a SQLite file that cannot be opened. 503 <c>unavailable</c>;
    /// the next request opens a fresh connection, so the instance recovers when the database does.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => Unwrap(exception).Any(e => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException and not PostgresException => true,
        SqliteException s => s.SqliteErrorCode is 14, // CANTOPEN
        _ => false,
    });

    /// <summary>The server answered, but the named database does not exist (yet): migrations create it.</summary>
    public static bool IsMissingDatabase(Exception exception) =>
        Unwrap(exception).Any(e => e is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName });

    private static IEnumerable<Exception> Unwrap(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }
}
