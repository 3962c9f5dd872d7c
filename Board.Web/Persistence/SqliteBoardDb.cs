using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Board.Web.Persistence;

/// <summary>
/// SQLite: a write takes a turn in this instance's <see cref="SqliteGroupCommit"/>, whose transaction began with
/// BEGIN IMMEDIATE, so SQLite's write lock is held before the first read and load → decide → commit is serialized by
/// the database across processes. For its turn the context works on the group's connection and transaction; before
/// and after, on a connection of its own.
/// </summary>
public sealed class SqliteBoardDb : BoardDb
{
    private readonly SqliteGroupCommit _groups;
    private SqliteGroupCommit.Turn? _turn;

    public SqliteBoardDb(DbContextOptions<SqliteBoardDb> options, IEnumerable<ICommitObserver> observers, SqliteGroupCommit groups)
        : base(options, observers)
    {
        _groups = groups;
        // Every write is a turn with a savepoint of its own, rolled back whole on failure: EF Core's own savepoint
        // around each SaveChanges would only add two statements under the lock.
        Database.AutoSavepointsEnabled = false;
    }

    protected override async Task BeginSerializedAsync(CancellationToken ct)
    {
        var connectionString = Database.GetConnectionString()!;
        var turn = await _groups.EnterAsync(connectionString, ct);
        try
        {
            Database.SetDbConnection(turn.Connection, contextOwnsConnection: false);
            await Database.UseTransactionAsync(turn.Transaction, ct);
        }
        catch
        {
            Detach();
            await turn.Leave(keep: false);
            throw;
        }
        _turn = turn;
    }

    /// <summary>
    /// A deferred transaction (plain BEGIN, not the IMMEDIATE of a write): in WAL mode its first read fixes the snapshot
    /// every later read sees, and it never takes the write lock.
    /// </summary>
    protected override async Task<IAsyncDisposable> BeginSnapshotTransactionAsync(CancellationToken ct)
    {
        await Database.OpenConnectionAsync(ct);
        var tx = ((SqliteConnection)Database.GetDbConnection()).BeginTransaction(deferred: true);
        await Database.UseTransactionAsync(tx, ct);
        return new Snapshot(this, tx);
    }

    private sealed class Snapshot(SqliteBoardDb db, SqliteTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await db.Database.UseTransactionAsync(null);
            await tx.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }

    protected override async Task CommitSerializedAsync(Action? afterCommit, CancellationToken ct)
    {
        var turn = _turn!;
        _turn = null;
        Detach();
        await turn.Leave(keep: true, afterCommit);
    }

    protected override void AbandonSerialized()
    {
        if (_turn is not { } turn) return;
        _turn = null;
        Detach();
        turn.Leave(keep: false);
    }

    /// <summary>
    /// Back to a connection of the context's own (made by EF Core when next needed), so that nothing it does later
    /// runs in another writer's turn.
    /// </summary>
    private void Detach()
    {
        var connectionString = Database.GetConnectionString()!;
        Database.UseTransaction(null);
        Database.SetDbConnection(null);
        Database.SetConnectionString(connectionString);
    }
}

/// <summary>For <c>dotnet ef migrations add NAME --context SqliteBoardDb</c>.</summary>
public sealed class SqliteBoardDbFactory : IDesignTimeDbContextFactory<SqliteBoardDb>
{
    public SqliteBoardDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteBoardDb>().UseSqlite("Data Source=design-time.db").Options, [], new SqliteGroupCommit());
}
