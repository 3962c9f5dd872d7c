using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Board.Web.Persistence;

/// <summary>
/// One read-only snapshot of the database on a connection of its own, for reading the trail with a forward-only
/// data reader (no change tracking, no buffering): a million entries stream in constant memory, and the head and
/// the rows come from the same snapshot. SQLite: a deferred transaction (under WAL its snapshot is fixed at the
/// first read). PostgreSQL: REPEATABLE READ, READ ONLY. Commands use <c>@name</c> parameters and double-quoted
/// column names, which both providers read the same way.
/// </summary>
public sealed class TrailSnapshot : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly DatabaseProvider _provider;

    private TrailSnapshot(DbConnection connection, DbTransaction transaction, DatabaseProvider provider) =>
        (_connection, _transaction, _provider) = (connection, transaction, provider);

    public static async Task<TrailSnapshot> OpenAsync(BoardDatabase database, CancellationToken ct)
    {
        DbConnection connection = database.Provider == DatabaseProvider.Postgres
            ? new NpgsqlConnection(database.ConnectionString)
            : new SqliteConnection(database.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            DbTransaction transaction;
            if (connection is SqliteConnection sqlite)
                transaction = sqlite.BeginTransaction(IsolationLevel.Serializable, deferred: true);
            else
            {
                transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                await using var readOnly = connection.CreateCommand();
                readOnly.Transaction = transaction;
                readOnly.CommandText = "SET TRANSACTION READ ONLY";
                await readOnly.ExecuteNonQueryAsync(ct);
            }
            return new TrailSnapshot(connection, transaction, database.Provider);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A command in this snapshot's transaction.</summary>
    public DbCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds <c>@name</c> with a value in the form this provider stores it (EF Core keeps a Guid as upper-case text on SQLite).</summary>
    public void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value is Guid id && _provider == DatabaseProvider.Sqlite ? id.ToString().ToUpperInvariant() : value;
        command.Parameters.Add(parameter);
    }

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
