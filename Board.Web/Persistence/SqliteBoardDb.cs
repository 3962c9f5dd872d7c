using Board.Domain.Trail;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Board.Web.Persistence;

/// <summary>
/// SQLite: a write takes a turn in this instance's <see cref="SqliteGroupCommit"/>, whose transaction began with
/// BEGIN IMMEDIATE, so SQLite's write lock is held before the first read and load → decide → commit is serialized by
/// the database across processes. For its turn the context works on the group's connection and transaction; before
/// and after, on a connection of its own.
/// </summary>
public sealed class SqliteBoardDb : BoardDb
{
    private SqliteGroupCommit? _groups;
    private SqliteGroupCommit.Turn? _turn;

    /// <summary>
    /// The context's own connection, for everything outside a writer's turn. The context is pooled and so is this
    /// connection with it: opened when first needed and then kept open (<see cref="SqlitePragmas.KeepOpen"/>), with the
    /// statements prepared on it (<see cref="SqliteStatements"/>), so that a request's reads are not parsed and planned
    /// again each time (preparing was 9 % of the server's CPU under approvals). It holds no transaction between
    /// requests, so it never holds back a checkpoint. Disposed with the context when EF Core discards it (a context made
    /// outside the pool, or the pool full or stopping), not each time a request gives it back.
    /// </summary>
    private readonly SqliteConnection _own;

    /// <summary>
    /// The host's: EF Core makes its pooled contexts with the options alone, and each finds this instance's one
    /// <see cref="SqliteGroupCommit"/> and the commit observers among the host's services when it first writes.
    /// </summary>
    public SqliteBoardDb(DbContextOptions<SqliteBoardDb> options) : base(options)
    {
        _own = new SqliteConnection(Database.GetConnectionString());
        SqlitePragmas.KeepOpen(_own);
        SqliteStatements.Keep(_own);
        Database.SetDbConnection(_own, contextOwnsConnection: false);
        // Every write is a turn with a savepoint of its own, rolled back whole on failure: EF Core's own savepoint
        // around each SaveChanges would only add two statements under the lock.
        Database.AutoSavepointsEnabled = false;
    }

    /// <summary>A context outside the host (a tool, a test), writing in turns of <paramref name="groups"/>.</summary>
    public static SqliteBoardDb Create(DbContextOptions<SqliteBoardDb> options, SqliteGroupCommit groups, IEnumerable<ICommitObserver>? observers = null)
    {
        var db = new SqliteBoardDb(options) { _groups = groups };
        db.Observe(observers ?? []);
        return db;
    }

    private SqliteGroupCommit Groups => _groups ??= this.GetService<SqliteGroupCommit>();

    protected override async Task BeginSerializedAsync(CancellationToken ct)
    {
        var connectionString = Database.GetConnectionString()!;
        var turn = await Groups.EnterAsync(connectionString, ct);
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

    /// <summary>Rows of one INSERT of trail entries: ten parameters each, far below SQLite's limit.</summary>
    private const int EntriesPerInsert = 200;

    /// <summary>
    /// SQLite: the entries in one INSERT (per 200), not tracked. EF Core's SQLite provider would send each entry as a
    /// command of its own, and its save would track, order and build a command for each under the write lock: the CPU of
    /// a writer's turn went from ~0.40 to ~0.36 ms without them. The values are those EF Core binds for them (Unix
    /// milliseconds, upper-case GUID text), so every trail query reads and filters them as before.
    /// </summary>
    protected override ValueTask AppendTrailAsync(IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        foreach (var chunk in entries.Chunk(EntriesPerInsert))
        {
            // Only parameter names are joined into the text; every value goes in as a parameter.
            var rows = string.Join(", ", chunk.Select((_, i) => "(" + string.Join(", ", Enumerable.Range(10 * i, 10).Select(n => $"$p{n}")) + ")"));
            var sql = "INSERT INTO \"audit_entries\" (\"Seq\", \"At\", \"ActorId\", \"ActorName\", \"Action\", \"BoardId\", \"ProposalId\", \"Data\", \"PrevHash\", \"Hash\") VALUES " + rows;
            WriteInTurn(sql, chunk.SelectMany(e => new object[]
            {
                e.Seq, e.At.ToUnixTimeMilliseconds(), Text(e.ActorId), e.ActorName, e.Action, Text(e.BoardId), Text(e.ProposalId), e.Data, e.PrevHash, e.Hash,
            }).Select((value, n) => new SqliteParameter($"$p{n}", value)));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>An approval's rows are written by the turn itself (<see cref="SqliteRows"/>); EF Core's save writes the rest.</summary>
    protected override Task SaveAsync(CancellationToken ct)
    {
        if (_turn is not null) SqliteRows.Write([.. ChangeTracker.Entries()], WriteInTurn);
        return SaveChangesAsync(ct);
    }

    /// <summary>
    /// Runs a write of this writer's turn on the turn's connection with a statement prepared once (<see
    /// cref="SqliteStatements.Execute"/>), not through EF Core's command pipeline. Returns the rows changed.
    /// </summary>
    public int WriteInTurn(string sql, IEnumerable<SqliteParameter> parameters) =>
        Statements.Execute(_turn?.Transaction ?? throw new InvalidOperationException("A write outside a writer's turn."), sql, parameters);

    private SqliteStatements? _statements;

    /// <summary>The host's statement cache (an interceptor of the context's options), or one that only keeps statements.</summary>
    private SqliteStatements Statements => _statements ??=
        this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<SqliteStatements>().FirstOrDefault()
        ?? new SqliteStatements();

    private static object Text(Guid? id) => id is { } v ? v.ToString().ToUpperInvariant() : DBNull.Value;

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

    public override void Dispose()
    {
        base.Dispose();
        if (Discarded()) _own.Dispose();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Discarded()) await _own.DisposeAsync();
    }

    /// <summary>Whether the dispose just done was the context's end, not a request giving a pooled context back.</summary>
    private bool Discarded()
    {
        try
        {
            _ = ChangeTracker;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>
    /// Back to the context's own connection, so that nothing it does later runs in another writer's turn.
    /// </summary>
    private void Detach()
    {
        Database.UseTransaction(null);
        Database.SetDbConnection(_own, contextOwnsConnection: false);
    }
}

/// <summary>For <c>dotnet ef migrations add NAME --context SqliteBoardDb</c>.</summary>
public sealed class SqliteBoardDbFactory : IDesignTimeDbContextFactory<SqliteBoardDb>
{
    public SqliteBoardDb CreateDbContext(string[] args) =>
        SqliteBoardDb.Create(new DbContextOptionsBuilder<SqliteBoardDb>().UseSqlite("Data Source=design-time.db").Options, new SqliteGroupCommit());
}
