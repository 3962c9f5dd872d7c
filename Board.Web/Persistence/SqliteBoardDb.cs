using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage;

namespace Board.Web.Persistence;

/// <summary>
/// SQLite: every write begins with BEGIN IMMEDIATE (EF's transaction on SQLite), so the write lock is taken before the
/// first read and load → decide → commit is serialized by the database across processes. This instance's writers
/// first queue on the <see cref="WriteGate"/>, which only makes waiting cheaper.
/// </summary>
public sealed class SqliteBoardDb(DbContextOptions<SqliteBoardDb> options, IEnumerable<ICommitObserver> observers, WriteGate writeGate)
    : BoardDb(options, observers)
{
    private bool _holdsGate;

    protected override async Task<IDbContextTransaction> BeginSerializedAsync(CancellationToken ct)
    {
        _holdsGate = await writeGate.EnterAsync(ct);
        try
        {
            return await Database.BeginTransactionAsync(ct);
        }
        catch
        {
            WriteEnded();
            throw;
        }
    }

    /// <summary>Lets the next writer of this instance in, once the transaction is committed or rolled back.</summary>
    protected override void WriteEnded()
    {
        if (!_holdsGate) return;
        _holdsGate = false;
        writeGate.Exit();
    }
}

/// <summary>For <c>dotnet ef migrations add NAME --context SqliteBoardDb</c>.</summary>
public sealed class SqliteBoardDbFactory : IDesignTimeDbContextFactory<SqliteBoardDb>
{
    public SqliteBoardDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteBoardDb>().UseSqlite("Data Source=design-time.db").Options, [], new WriteGate());
}
