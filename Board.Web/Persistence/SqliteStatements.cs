using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Board.Web.Persistence;

/// <summary>
/// Prepared statements kept for the life of a connection: the writers' (<see cref="SqliteGroupCommit"/>) and each pooled
/// context's own (<see cref="SqliteBoardDb"/>). EF Core makes a
/// new command for every statement and Microsoft.Data.Sqlite prepares each new command again — and preparing a write
/// compiles every trigger it may fire (the Insights summary's), which cost more than running it. On a connection
/// <see cref="Keep"/> was called for, EF Core's commands borrow a command already prepared for the same text and hand it
/// back when EF Core disposes theirs; on any other connection nothing changes.
/// </summary>
public sealed class SqliteStatements(IMeterFactory? meters = null) : DbCommandInterceptor
{
    private readonly Counter<long>? _prepared = meters?.Create("Board").CreateCounter<long>(
        "board.db.statements.prepared", "{statement}", "Statements prepared on a SQLite connection that keeps them (the writers', a pooled context's own), each kept for reuse.");

    private readonly Counter<long>? _reused = meters?.Create("Board").CreateCounter<long>(
        "board.db.statements.reused", "{statement}", "Statements run on a SQLite connection that keeps them without preparing them again.");

    /// <summary>Distinct statement texts kept per connection; beyond this a text is prepared each time, as without the cache.</summary>
    public const int MaxTexts = 512;

    private static readonly ConditionalWeakTable<SqliteConnection, Cache> Caches = [];

    /// <summary>Keeps prepared statements for <paramref name="connection"/> from now on.</summary>
    public static void Keep(SqliteConnection connection) => Caches.AddOrUpdate(connection, new Cache(connection));

    /// <summary>Told the text of each statement <see cref="Execute"/> runs, as EF Core's interceptors are of theirs (tests count round trips).</summary>
    public event Action<string>? Executing;

    /// <summary>
    /// Runs <paramref name="text"/> in <paramref name="transaction"/> with the command kept for that text on its
    /// connection (prepared once), bound to <paramref name="parameters"/>: the writes a writer's turn sends itself, past
    /// EF Core's command pipeline, which cost more than SQLite's own work for a one-row write. Returns the rows changed.
    /// </summary>
    public int Execute(SqliteTransaction transaction, string text, IEnumerable<SqliteParameter> parameters)
    {
        Executing?.Invoke(text);
        var connection = transaction.Connection!;
        var cache = Caches.TryGetValue(connection, out var kept) ? kept : null;
        var command = cache?.Borrow(text, this) ?? connection.CreateCommand();
        command.CommandText = text;
        command.Transaction = transaction;
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        var ran = false;
        try
        {
            var changed = command.ExecuteNonQuery();
            ran = true;
            return changed;
        }
        finally
        {
            // A statement that failed is not kept: whatever state it was left in goes with it.
            if (ran && cache is not null) cache.Return(command);
            else command.Dispose();
        }
    }

    public override InterceptionResult<DbCommand> CommandCreating(CommandCorrelatedEventData eventData, InterceptionResult<DbCommand> result) =>
        eventData.Connection is SqliteConnection connection && Caches.TryGetValue(connection, out var cache)
            ? InterceptionResult<DbCommand>.SuppressWithResult(new BorrowingCommand(cache, this))
            : result;

    internal sealed class Cache
    {
        private readonly Dictionary<string, Stack<SqliteCommand>> _idle = new(StringComparer.Ordinal);

        public Cache(SqliteConnection connection)
        {
            Connection = connection;
            // Closing a connection finalizes every statement prepared on it: what was kept is gone, and counted anew.
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState != ConnectionState.Closed) return;
                lock (_idle)
                {
                    foreach (var command in _idle.Values.SelectMany(stack => stack)) command.Dispose();
                    _idle.Clear();
                }
            };
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Borrow(string text, SqliteStatements counts)
        {
            lock (_idle)
                if (_idle.TryGetValue(text, out var stack) && stack.TryPop(out var kept))
                {
                    counts._reused?.Add(1);
                    return kept;
                }
            counts._prepared?.Add(1);
            var command = Connection.CreateCommand();
            command.CommandText = text;
            return command;
        }

        public void Return(SqliteCommand command)
        {
            command.Parameters.Clear();
            command.Transaction = null;
            lock (_idle)
            {
                if (!_idle.TryGetValue(command.CommandText, out var stack))
                {
                    if (_idle.Count >= MaxTexts)
                    {
                        command.Dispose();
                        return;
                    }
                    _idle[command.CommandText] = stack = new Stack<SqliteCommand>(1);
                }
                // Two of the same text are out at once only while a reader is open; more would not be used again.
                if (stack.Count < 4) stack.Push(command);
                else command.Dispose();
            }
        }
    }

    /// <summary>
    /// The command EF Core fills in and runs. It collects the text and parameters, and when run borrows the prepared
    /// command for that text; disposing it hands that one back (a reader's command is disposed after the reader).
    /// </summary>
    private sealed class BorrowingCommand(Cache cache, SqliteStatements counts) : DbCommand
    {
        private readonly SqliteCommand _parameters = new();
        private SqliteCommand? _borrowed;

        [AllowNull]
        public override string CommandText { get; set; } = "";
        public override int CommandTimeout { get; set; } = 30;
        public override CommandType CommandType { get; set; } = CommandType.Text;
        public override bool DesignTimeVisible { get; set; }
        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => cache.Connection;
            set
            {
                if (value is not null && value != cache.Connection) throw new InvalidOperationException("A kept statement belongs to its own connection.");
            }
        }

        protected override DbParameterCollection DbParameterCollection => _parameters.Parameters;
        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel() => _borrowed?.Cancel();
        public override void Prepare() { }
        protected override DbParameter CreateDbParameter() => _parameters.CreateParameter();

        private SqliteCommand Borrow()
        {
            Release();
            var command = cache.Borrow(CommandText, counts);
            command.Transaction = (SqliteTransaction?)DbTransaction;
            command.CommandTimeout = CommandTimeout;
            foreach (SqliteParameter p in _parameters.Parameters) command.Parameters.Add(p);
            _parameters.Parameters.Clear();
            return _borrowed = command;
        }

        private void Release()
        {
            if (_borrowed is not { } command) return;
            _borrowed = null;
            // Give the parameters back, in case EF Core runs this command again.
            foreach (SqliteParameter p in command.Parameters) _parameters.Parameters.Add(p);
            if (_failed) command.Dispose();
            else cache.Return(command);
            _failed = false;
        }

        // A statement that failed is not kept: whatever state it was left in goes with it.
        private bool _failed;

        private T Run<T>(Func<SqliteCommand, T> execute)
        {
            var command = Borrow();
            try
            {
                return execute(command);
            }
            catch
            {
                _failed = true;
                throw;
            }
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Run(c => c.ExecuteReader(behavior));
        public override int ExecuteNonQuery() => Run(c => c.ExecuteNonQuery());
        public override object? ExecuteScalar() => Run(c => c.ExecuteScalar());

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Release();
                _parameters.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
