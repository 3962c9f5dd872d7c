using Board.Domain.Proposals;
using Board.Domain.Trail;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Board.Web.Persistence;

/// <summary>
/// The one unit of work. A subclass per provider (<see cref="SqliteBoardDb"/>, <see cref="PostgresBoardDb"/>) carries
/// that provider's migrations and its way of serializing writers; everything else is shared.
/// </summary>
public abstract class BoardDb(DbContextOptions options)
    : IdentityDbContext<MemberAccount, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    private ICommitObserver[]? _observers;
    private readonly List<TrailFact> _facts = [];

    /// <summary>
    /// The features that react to commits: in the host, <see cref="CommitObservers"/> from its services (a pooled context
    /// is made by EF Core with its options alone); a context made outside the host is given them.
    /// </summary>
    private ICommitObserver[] Observers => _observers ??= this.GetService<CommitObservers>().All;

    /// <summary>For a context made outside the host (a tool, a test): the observers it tells, none by default.</summary>
    protected void Observe(IEnumerable<ICommitObserver> observers) => _observers = [.. observers];

    public DbSet<Domain.Boards.Board> Boards => Set<Domain.Boards.Board>();
    public DbSet<Proposal> Proposals => Set<Proposal>();
    public DbSet<AuditEntry> Trail => Set<AuditEntry>();

    /// <summary>Sign-in keys (ASP.NET Core Data Protection), shared by every instance on this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    private bool _writing;

    private sealed record Head(long Seq, string Hash);

    /// <summary>The trail head as the provider read it together with the write lock; null when it did not read it there.</summary>
    private Head? _headWithLock;
    private bool _headReadWithLock;

    /// <summary>
    /// For a provider that reads the trail head in the same round trip as it takes the write lock: the head cannot
    /// change while the lock is held, so the commit chains onto it without reading it again. Null: the trail is empty.
    /// </summary>
    protected void HeadReadWithLock(long? seq, string? hash)
    {
        _headWithLock = seq is { } s && hash is not null ? new Head(s, hash) : null;
        _headReadWithLock = true;
    }

    // Compiled once: every commit reads it under the write lock.
    private static readonly CompiledQuery<Func<BoardDb, CancellationToken, Task<Head?>>> TrailHead = new(() => EF.CompileAsyncQuery(
        (BoardDb db, CancellationToken ct) => db.Trail.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => new Head(e.Seq, e.Hash)).FirstOrDefault()));

    /// <summary>
    /// Starts the write transaction before anything is read, and takes the database's write lock in it: every
    /// load → decide → commit is serialized by the database, across processes and instances. Once per unit of work:
    /// a second call while writing does nothing.
    /// </summary>
    public async Task BeginWriteAsync(CancellationToken ct)
    {
        if (_writing) return;
        await BeginSerializedAsync(ct);
        _writing = true;
    }

    /// <summary>
    /// Adds the chained entries to the write. Here they are tracked, and the save sends them with the rest of the write
    /// (on PostgreSQL in its one batch); a provider may write them itself, under the same transaction.
    /// </summary>
    protected virtual ValueTask AppendTrailAsync(IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        Trail.AddRange(entries);
        return ValueTask.CompletedTask;
    }

    /// <summary>Saves what is tracked, inside the write (changes already detected); a provider may write some rows itself first.</summary>
    protected virtual Task SaveAsync(CancellationToken ct) => SaveChangesAsync(ct);

    /// <summary>The provider's way to begin a transaction that holds the single write lock.</summary>
    protected abstract Task BeginSerializedAsync(CancellationToken ct);

    /// <summary>
    /// Makes the write begun by <see cref="BeginSerializedAsync"/> durable and ends it; <paramref name="afterCommit"/>
    /// runs once it is durable, in the order of the commits. On failure nothing of the write is kept.
    /// </summary>
    protected abstract Task CommitSerializedAsync(Action? afterCommit, CancellationToken ct);

    /// <summary>Ends a write that was not committed: all it did is rolled back and the lock is let go.</summary>
    protected abstract void AbandonSerialized();

    /// <summary>
    /// Lets go of a write that will not be committed (a refusal, a 404) at once, rather than when the request's
    /// scope ends after its reply is sent: the next writer need not wait for that reply.
    /// </summary>
    public void AbandonWrite()
    {
        if (!_writing) return;
        _writing = false;
        ForgetHead();
        AbandonSerialized();
    }

    private void ForgetHead()
    {
        _headWithLock = null;
        _headReadWithLock = false;
    }

    /// <summary>
    /// Reads that must agree with each other (a count, then the rows it counted) see one state of the database until
    /// the returned handle is disposed; nothing is locked for writers. Inside a write, its transaction already does.
    /// </summary>
    public async Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken ct) =>
        Database.CurrentTransaction is null ? await BeginSnapshotTransactionAsync(ct) : NoSnapshot.Instance;

    /// <summary>The provider's read transaction with a stable snapshot.</summary>
    protected abstract Task<IAsyncDisposable> BeginSnapshotTransactionAsync(CancellationToken ct);

    private sealed class NoSnapshot : IAsyncDisposable
    {
        public static readonly NoSnapshot Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Records a change that belongs to no aggregate (members, webhooks) for the next commit.</summary>
    public void Record(TrailFact fact) => _facts.Add(fact);

    /// <summary>
    /// Chains every pending fact onto the trail and commits state, trail and what the observers add (the
    /// webhook outbox) as one transaction, then tells the observers. Returns the entries written.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> CommitAsync(CancellationToken ct)
    {
        await BeginWriteAsync(ct);
        // Changes are detected once, here: what follows only adds entities (the trail, what the observers add), and
        // each ChangeTracker.Entries call and the save would otherwise scan every tracked entity again, under the lock.
        ChangeTracker.DetectChanges();
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        List<IRecordsTrail> sources;
        List<AuditEntry> entries;
        try
        {
            sources = ChangeTracker.Entries<IRecordsTrail>().Select(e => e.Entity).Where(s => s.PendingTrail.Count > 0).ToList();
            var facts = sources.SelectMany(s => s.PendingTrail).Concat(_facts).OrderBy(f => f.At).ToList();

            entries = new List<AuditEntry>(facts.Count);
            if (facts.Count > 0)
            {
                var head = _headReadWithLock ? _headWithLock : await TrailHead.For(this)(this, ct);
                var (seq, hash) = head is null ? (0L, HashChain.Genesis) : (head.Seq, head.Hash);
                foreach (var fact in facts)
                {
                    var entry = AuditEntry.Append(seq, hash, fact);
                    entries.Add(entry);
                    (seq, hash) = (entry.Seq, entry.Hash);
                }
                await AppendTrailAsync(entries, ct);
                foreach (var observer in Observers) await observer.CommittingAsync(this, entries, ct);
            }

            await SaveAsync(ct);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
        _writing = false;
        ForgetHead();
        IReadOnlyList<Proposal> proposals = [.. sources.OfType<Proposal>()];
        await CommitSerializedAsync(entries.Count == 0 ? null : () =>
        {
            foreach (var observer in Observers) observer.Committed(entries, proposals);
        }, ct);
        foreach (var source in sources) source.ClearPendingTrail();
        _facts.Clear();
        return entries;
    }

    // The host pools its contexts (EF Core resets what it tracks): what this class keeps for one unit of work goes
    // here, so that a context handed to the next request carries nothing of the last — least of all an uncommitted fact.
    public override void Dispose()
    {
        ForgetUnitOfWork();
        base.Dispose();
    }

    public override async ValueTask DisposeAsync()
    {
        ForgetUnitOfWork();
        await base.DisposeAsync();
    }

    private void ForgetUnitOfWork()
    {
        AbandonWrite();
        _facts.Clear();
        ForgetHead();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(BoardDb).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite cannot order or compare DateTimeOffset stored as text; Unix milliseconds can. PostgreSQL keeps the
        // same bigint, so the stored values, the raw trail reader and the hashes are the same on both.
        configuration.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configuration.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
    }
}
