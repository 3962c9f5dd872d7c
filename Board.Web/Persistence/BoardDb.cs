using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Webhooks;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Board.Web.Persistence;

/// <summary>
/// The one unit of work. A subclass per provider (<see cref="SqliteBoardDb"/>, <see cref="PostgresBoardDb"/>) carries
/// that provider's migrations and its way of serializing writers; everything else is shared.
/// </summary>
public abstract class BoardDb(DbContextOptions options, IEnumerable<ICommitObserver> observers)
    : IdentityDbContext<MemberAccount, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    private readonly ICommitObserver[] _observers = [.. observers];
    private readonly List<TrailFact> _facts = [];

    public DbSet<Domain.Boards.Board> Boards => Set<Domain.Boards.Board>();
    public DbSet<Proposal> Proposals => Set<Proposal>();
    public DbSet<AuditEntry> Trail => Set<AuditEntry>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> Deliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> DeliveryAttempts => Set<WebhookAttempt>();

    /// <summary>Sign-in keys (ASP.NET Core Data Protection), shared by every instance on this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// Starts the write transaction before anything is read, and takes the database's write lock in it: every
    /// load → decide → commit is serialized by the database, across processes and instances.
    /// </summary>
    public async Task<IDbContextTransaction> BeginWriteAsync(CancellationToken ct)
    {
        if (Database.CurrentTransaction is { } current) return current;
        return await BeginSerializedAsync(ct);
    }

    /// <summary>The provider's way to begin a transaction that holds the single write lock.</summary>
    protected abstract Task<IDbContextTransaction> BeginSerializedAsync(CancellationToken ct);

    /// <summary>Called once the write transaction is over (committed, rolled back or abandoned).</summary>
    protected virtual void WriteEnded() { }

    /// <summary>Records a change that belongs to no aggregate (members, webhooks) for the next commit.</summary>
    public void Record(TrailFact fact) => _facts.Add(fact);

    /// <summary>
    /// Chains every pending fact onto the trail and commits state, trail and what the observers add (the
    /// webhook outbox) as one transaction, then tells the observers. Returns the entries written.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> CommitAsync(CancellationToken ct)
    {
        var tx = await BeginWriteAsync(ct);
        var sources = ChangeTracker.Entries<IRecordsTrail>().Select(e => e.Entity).Where(s => s.PendingTrail.Count > 0).ToList();
        var facts = sources.SelectMany(s => s.PendingTrail).Concat(_facts).OrderBy(f => f.At).ToList();

        var entries = new List<AuditEntry>(facts.Count);
        if (facts.Count > 0)
        {
            var head = await Trail.AsNoTracking().OrderByDescending(e => e.Seq)
                .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
            var (seq, hash) = head is null ? (0L, HashChain.Genesis) : (head.Seq, head.Hash);
            foreach (var fact in facts)
            {
                var entry = AuditEntry.Append(seq, hash, fact);
                entries.Add(entry);
                (seq, hash) = (entry.Seq, entry.Hash);
            }
            Trail.AddRange(entries);
            foreach (var observer in _observers) await observer.CommittingAsync(this, entries, ct);
        }

        await SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await tx.DisposeAsync();
        WriteEnded();
        foreach (var source in sources) source.ClearPendingTrail();
        _facts.Clear();
        if (entries.Count > 0)
            foreach (var observer in _observers) observer.Committed(entries, sources);
        return entries;
    }

    public override void Dispose()
    {
        base.Dispose();
        WriteEnded();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        WriteEnded();
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
