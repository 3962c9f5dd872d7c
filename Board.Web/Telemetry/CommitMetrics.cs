using System.Data.Common;
using System.Runtime.CompilerServices;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Board.Web.Telemetry;

/// <summary>
/// Counts decisions from the trail entries a transaction writes, once it has committed: approvals, executions and
/// how long each executed proposal took from posting. Watching from outside Persistence keeps both the domain and
/// <c>BoardDb</c> free of telemetry; a transaction that rolls back counts nothing.
/// </summary>
public sealed class CommitMetrics(BoardMetrics metrics) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private sealed class Pending
    {
        public int Approvals;
        public List<TimeSpan> Executions { get; } = [];
    }

    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    // A transaction starts with nothing to count, whatever an abandoned one before it left behind.
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Forget(eventData.Context);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken ct = default)
    {
        Forget(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        Record(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Record(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken ct = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Forget(eventData.Context);

    private void Collect(DbContext? context)
    {
        if (context is null) return;
        foreach (var added in context.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
        {
            if (added.Action == TrailActions.ApprovalAdded)
            {
                _pending.GetOrCreateValue(context).Approvals++;
            }
            else if (added.Action == TrailActions.ProposalExecuted)
            {
                var proposal = context.ChangeTracker.Entries<Proposal>().Select(e => e.Entity).FirstOrDefault(p => p.Id == added.ProposalId);
                _pending.GetOrCreateValue(context).Executions.Add(proposal is null ? TimeSpan.Zero : added.At - proposal.PostedAt);
            }
        }
    }

    private void Record(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending)) return;
        _pending.Remove(context);
        if (pending.Approvals > 0) metrics.Approved(pending.Approvals);
        foreach (var duration in pending.Executions) metrics.Executed(duration);
    }

    private void Forget(DbContext? context)
    {
        if (context is not null) _pending.Remove(context);
    }
}
