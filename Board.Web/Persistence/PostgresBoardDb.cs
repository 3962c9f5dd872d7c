using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage;

namespace Board.Web.Persistence;

/// <summary>
/// PostgreSQL: every write transaction first takes one transaction-scoped advisory lock, the same lock in every
/// instance, so writers are serialized by the database exactly as BEGIN IMMEDIATE serializes them on SQLite. Under
/// READ COMMITTED every statement after the lock sees everything committed before it, so the proposal, its approvals
/// and the trail head are read fresh. The lock goes with the commit or rollback, also when a process dies.
/// </summary>
public sealed class PostgresBoardDb(DbContextOptions<PostgresBoardDb> options) : BoardDb(options)
{
    /// <summary>A context outside the host (a tool, a test), telling <paramref name="observers"/> of its commits.</summary>
    public static PostgresBoardDb Create(DbContextOptions<PostgresBoardDb> options, IEnumerable<ICommitObserver>? observers = null)
    {
        var db = new PostgresBoardDb(options);
        db.Observe(observers ?? []);
        return db;
    }

    /// <summary>The advisory lock key of Board's writers ("Board" in ASCII).</summary>
    public const long WriteLockKey = 0x426F617264;

    /// <summary>How long a writer waits for the lock before the request is answered 503 <c>busy</c>, as SQLite's busy_timeout.</summary>
    public const int LockTimeoutMilliseconds = 30_000;

    private IDbContextTransaction? _transaction;

    protected override async Task BeginSerializedAsync(CancellationToken ct)
    {
        var tx = await Database.BeginTransactionAsync(ct);
        try
        {
            // The trail head comes back in the lock's round trip: once the lock is held no other writer can append,
            // so the commit chains onto it without asking again.
            await using var command = Database.GetDbConnection().CreateCommand();
            command.Transaction = tx.GetDbTransaction();
            command.CommandText = $"""
                SET LOCAL lock_timeout = {LockTimeoutMilliseconds};
                SELECT pg_advisory_xact_lock({WriteLockKey});
                SELECT "Seq", "Hash" FROM audit_entries ORDER BY "Seq" DESC LIMIT 1;
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            long? seq = null;
            string? hash = null;
            do
            {
                if (reader.FieldCount == 2 && reader.GetName(0) == "Seq" && await reader.ReadAsync(ct))
                    (seq, hash) = (reader.GetInt64(0), reader.GetString(1));
            }
            while (await reader.NextResultAsync(ct));
            HeadReadWithLock(seq, hash);
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
        _transaction = tx;
    }

    /// <summary>REPEATABLE READ: every statement of the transaction sees the snapshot its first statement took.</summary>
    protected override async Task<IAsyncDisposable> BeginSnapshotTransactionAsync(CancellationToken ct) =>
        await Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);

    protected override async Task CommitSerializedAsync(Action? afterCommit, CancellationToken ct)
    {
        var tx = _transaction!;
        _transaction = null;
        await using (tx) await tx.CommitAsync(ct);
        afterCommit?.Invoke();
    }

    protected override void AbandonSerialized()
    {
        _transaction?.Dispose();
        _transaction = null;
    }
}

/// <summary>For <c>dotnet ef migrations add NAME --context PostgresBoardDb</c>; no server is contacted.</summary>
public sealed class PostgresBoardDbFactory : IDesignTimeDbContextFactory<PostgresBoardDb>
{
    public PostgresBoardDb CreateDbContext(string[] args) =>
        PostgresBoardDb.Create(new DbContextOptionsBuilder<PostgresBoardDb>().UseNpgsql("Host=localhost;Database=board_design").Options);
}
