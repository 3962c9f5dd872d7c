namespace Board.Web.Persistence;

/// <summary>
/// Queues this instance's SQLite write transactions in memory before they ask SQLite for its write lock. Correctness
/// never rests on it — BEGIN IMMEDIATE still serializes writers, across instances too, and the gate gives up after
/// the same 30 s as busy_timeout — but a writer waiting here awaits without holding a thread, where one waiting in
/// SQLite's busy handler sleeps on a pool thread and retries on a backoff schedule, long after the lock was freed.
/// </summary>
public sealed class WriteGate
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    /// <summary>True once entered; false if it waited too long and the caller goes on without it.</summary>
    public Task<bool> EnterAsync(CancellationToken ct) => _semaphore.WaitAsync(Patience, ct);

    public void Exit() => _semaphore.Release();
}
