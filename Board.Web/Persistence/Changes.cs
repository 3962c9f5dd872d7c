namespace Board.Web.Persistence;

/// <summary>
/// The path of every change, written once: load the aggregate inside the write transaction, let the domain decide,
/// commit state and trail together. Null when there is nothing to change (the caller answers 404); a refusal the
/// domain throws leaves nothing committed.
/// </summary>
public static class Changes
{
    public static async Task<T?> ChangeAsync<T>(this BoardDb db, Func<BoardDb, CancellationToken, Task<T?>> load, Func<T, Task> decide, CancellationToken ct)
        where T : class
    {
        await db.BeginWriteAsync(ct);
        if (await load(db, ct) is not { } aggregate) return null;
        await decide(aggregate);
        await db.CommitAsync(ct);
        return aggregate;
    }

    public static Task<T?> ChangeAsync<T>(this BoardDb db, Func<BoardDb, CancellationToken, Task<T?>> load, Action<T> decide, CancellationToken ct)
        where T : class =>
        db.ChangeAsync(load, aggregate =>
        {
            decide(aggregate);
            return Task.CompletedTask;
        }, ct);
}
