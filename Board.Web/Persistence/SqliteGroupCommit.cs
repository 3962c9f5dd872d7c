using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;

namespace Board.Web.Persistence;

/// <summary>
/// Group commit for this instance's SQLite writers. Writers take turns (one at a time, in arrival order) inside one
/// write transaction on one connection: each turn runs in a savepoint of its own, released when its work is done or
/// rolled back when it fails. The transaction commits when no other writer of this instance is waiting (or the group
/// is full or old), and only then is any writer of the group told that its work is durable: one BEGIN IMMEDIATE and
/// one fsync serve every writer that queued meanwhile, with the same durability as a commit each.
/// <para>
/// Exactly-once still rests on SQLite alone: the group holds SQLite's write lock (BEGIN IMMEDIATE) from its first
/// read to its commit, so other processes wait for it as for any writer, and every turn reads what the turns before
/// it wrote. A group whose commit fails fails every writer in it, none of which has been answered yet.
/// </para>
/// </summary>
public sealed class SqliteGroupCommit(IMeterFactory? meters = null, TimeSpan? maxAge = null) : IDisposable
{
    /// <summary>At most this many writers share one commit, so that the first of them is not kept waiting long.</summary>
    public const int MaxWriters = 64;

    /// <summary>No new writer joins a group older than this (by default); the next one to leave commits it.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromMilliseconds(25);

    private readonly TimeSpan _maxAge = maxAge ?? DefaultMaxAge;

    // wal_autocheckpoint: the commit that passes 10,000 pages of WAL (~40 MB) copies them back into the database, not
    // SQLite's default 1,000: a page that many commits wrote in between is copied once, and the checkpoint, which runs
    // in a commit under the write lock, holds up the writers queued behind it a tenth as often (approvals +9 %).
    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=10000;";

    // Taken without a timeout or a token: a writer counted in _waiting always gets its turn, so a group kept open
    // for it is always committed by it or by a later writer.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _waiting;
    private SqliteConnection? _connection;
    private Group? _open;

    private readonly Histogram<int>? _writersPerCommit = meters?.Create("Board").CreateHistogram<int>(
        "board.db.commit.writers", "{writer}", "Writers that shared one SQLite commit (group commit).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });

    /// <summary>
    /// Waits for this writer's turn and returns it, inside the group's transaction (begun here when no group is
    /// open). The caller must end the turn with <see cref="Turn.Leave"/> whatever happens.
    /// </summary>
    public async Task<Turn> EnterAsync(string connectionString, CancellationToken ct)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _turn.WaitAsync(CancellationToken.None);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        try
        {
            ct.ThrowIfCancellationRequested();
            _open ??= Begin(connectionString);
        }
        catch
        {
            // No group, or one that stays open for the writers already in it: hand the turn on or commit.
            if (_open is null) _turn.Release();
            else _ = LeaveGroup(_open, acknowledged: false, afterCommit: null);
            throw;
        }

        try
        {
            _open.Execute("SAVEPOINT writer");
        }
        catch (Exception ex)
        {
            Fail(_open, ex);
            throw;
        }
        return new Turn(this, _open);
    }

    private Group Begin(string connectionString)
    {
        if (_connection is null || _connection.ConnectionString != connectionString)
        {
            _connection?.Dispose();
            _connection = new SqliteConnection(connectionString);
            // Every write runs on this one connection: its statements are prepared once, not per write.
            SqliteStatements.Keep(_connection);
        }
        try
        {
            if (_connection.State != System.Data.ConnectionState.Open)
            {
                _connection.Open();
                using var pragmas = _connection.CreateCommand();
                pragmas.CommandText = Pragmas;
                pragmas.ExecuteNonQuery();
            }
            return new Group(_connection, _connection.BeginTransaction(deferred: false));
        }
        catch
        {
            _connection.Dispose();
            _connection = null;
            throw;
        }
    }

    /// <summary>Ends a turn: keeps its work (<paramref name="keep"/>) or rolls it back; returns when the work is durable.</summary>
    private Task Leave(Group group, bool keep, Action? afterCommit)
    {
        try
        {
            group.Execute(keep ? "RELEASE writer" : "ROLLBACK TO writer; RELEASE writer");
        }
        catch (Exception ex)
        {
            Fail(group, ex);
            return keep ? Task.FromException(ex) : Task.CompletedTask;
        }
        return LeaveGroup(group, keep, afterCommit);
    }

    private Task LeaveGroup(Group group, bool acknowledged, Action? afterCommit)
    {
        group.Writers++;
        if (acknowledged)
        {
            group.Kept++;
            if (afterCommit is not null) group.AfterCommit.Add(afterCommit);
        }
        var durable = acknowledged ? group.Durable.Task : Task.CompletedTask;
        if (Volatile.Read(ref _waiting) > 0 && group.Writers < MaxWriters && Stopwatch.GetElapsedTime(group.Started) < _maxAge)
        {
            _turn.Release();
            return durable;
        }

        try
        {
            if (group.Kept > 0) group.Transaction.Commit();
            else group.Transaction.Rollback();
        }
        catch (Exception ex)
        {
            Fail(group, ex);
            return durable;
        }
        _writersPerCommit?.Record(group.Writers);
        try
        {
            // In commit order, before the next group can commit: what the observers hear keeps the trail's order.
            foreach (var action in group.AfterCommit) action();
        }
        finally
        {
            group.Transaction.Dispose();
            _open = null;
            _turn.Release();
            group.Durable.SetResult();
        }
        return durable;
    }

    /// <summary>The group cannot commit: every writer in it fails, and the connection starts afresh.</summary>
    private void Fail(Group group, Exception ex)
    {
        try
        {
            group.Transaction.Dispose();
        }
        catch (Exception cleanup) when (cleanup is SqliteException or InvalidOperationException)
        {
            // The connection is discarded below either way.
        }
        _connection?.Dispose();
        _connection = null;
        _open = null;
        group.Durable.TrySetException(ex);
        _turn.Release();
    }

    public void Dispose() => _connection?.Dispose();

    internal sealed class Group(SqliteConnection connection, SqliteTransaction transaction)
    {
        public SqliteConnection Connection { get; } = connection;
        public SqliteTransaction Transaction { get; } = transaction;
        public long Started { get; } = Stopwatch.GetTimestamp();
        public int Writers { get; set; }
        public int Kept { get; set; }
        public List<Action> AfterCommit { get; } = [];
        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(string sql)
        {
            using var command = Connection.CreateCommand();
            command.Transaction = Transaction;
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>One writer's turn in the open group: its connection and transaction, ended exactly once.</summary>
    public sealed class Turn
    {
        private readonly SqliteGroupCommit _owner;
        private readonly Group _group;
        private bool _ended;

        internal Turn(SqliteGroupCommit owner, Group group)
        {
            _owner = owner;
            _group = group;
        }

        public SqliteConnection Connection => _group.Connection;
        public SqliteTransaction Transaction => _group.Transaction;

        /// <summary>
        /// Ends the turn. <paramref name="keep"/>: the work stays and the returned task completes once the group has
        /// committed (after <paramref name="afterCommit"/> ran, in commit order), or fails if the group could not commit.
        /// Otherwise the work is rolled back and the task is already complete.
        /// </summary>
        public Task Leave(bool keep, Action? afterCommit = null)
        {
            if (_ended) return Task.CompletedTask;
            _ended = true;
            return _owner.Leave(_group, keep, afterCommit);
        }
    }
}
