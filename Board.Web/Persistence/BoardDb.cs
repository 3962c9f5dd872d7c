using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Realtime;
using Board.Web.Webhooks;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Board.Web.Persistence;

public sealed class BoardDb(DbContextOptions<BoardDb> options, TrailSignal trailSignal, WebhookSignal webhookSignal, WriteGate writeGate)
    : IdentityDbContext<MemberAccount, IdentityRole<Guid>, Guid>(options)
{
    private readonly List<TrailFact> _facts = [];
    private bool _holdsGate;

    public DbSet<Domain.Boards.Board> Boards => Set<Domain.Boards.Board>();
    public DbSet<Proposal> Proposals => Set<Proposal>();
    public DbSet<AuditEntry> Trail => Set<AuditEntry>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> Deliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> DeliveryAttempts => Set<WebhookAttempt>();

    /// <summary>
    /// Starts the write transaction before anything is read. On SQLite this is BEGIN IMMEDIATE: the write
    /// lock is taken first, so load → decide → commit is serialized by the database across processes.
    /// This instance's writers queue on the <see cref="WriteGate"/> before asking for it.
    /// </summary>
    public async Task<IDbContextTransaction> BeginWriteAsync(CancellationToken ct)
    {
        if (Database.CurrentTransaction is { } current) return current;
        if (Database.IsSqlite()) _holdsGate = await writeGate.EnterAsync(ct);
        try
        {
            return await Database.BeginTransactionAsync(ct);
        }
        catch
        {
            LeaveGate();
            throw;
        }
    }

    /// <summary>Records a change that belongs to no aggregate (members, webhooks) for the next commit.</summary>
    public void Record(TrailFact fact) => _facts.Add(fact);

    /// <summary>
    /// Chains every pending fact onto the trail and commits state, trail and outbox as one transaction,
    /// then wakes the broadcaster. Returns the entries written.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> CommitAsync(CancellationToken ct)
    {
        var tx = await BeginWriteAsync(ct);
        var sources = ChangeTracker.Entries<IRecordsTrail>().Select(e => e.Entity).Where(s => s.PendingTrail.Count > 0).ToList();
        var facts = sources.SelectMany(s => s.PendingTrail).Concat(_facts).OrderBy(f => f.At).ToList();

        var entries = new List<AuditEntry>(facts.Count);
        var deliveries = 0;
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
            deliveries = await WebhookOutbox.EnqueueAsync(this, entries, ct);
        }

        await SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await tx.DisposeAsync();
        LeaveGate();
        foreach (var source in sources) source.ClearPendingTrail();
        _facts.Clear();
        if (entries.Count > 0) trailSignal.Committed(entries, sources);
        if (deliveries > 0) webhookSignal.Notify();
        return entries;
    }

    public override void Dispose()
    {
        base.Dispose();
        LeaveGate();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        LeaveGate();
    }

    /// <summary>Lets the next writer of this instance in, once the transaction is committed or rolled back.</summary>
    private void LeaveGate()
    {
        if (!_holdsGate) return;
        _holdsGate = false;
        writeGate.Exit();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(BoardDb).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite cannot order or compare DateTimeOffset stored as text; Unix milliseconds can.
        configuration.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configuration.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
    }
}
