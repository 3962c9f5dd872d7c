using System.Security.Cryptography;
using Board.Web.Keys;
using Board.Web.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Webhooks;

/// <summary>
/// Webhook secrets at rest: protected with Data Protection (the key ring that also signs cookies and tokens, shared
/// by every instance), stored as <c>dp1:</c> + the protected text. A row written before this existed holds its secret
/// as plain text; it is still read, and re-protected when the app starts. When old keys of the ring are retired
/// (<see cref="KeyRingMigration"/>), every secret is re-protected under the new key first.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider) : IProtectedWithKeyRing
{
    private const string Prefix = "dp1:";
    private readonly IDataProtector _protector = provider.CreateProtector("Board.Webhooks.Secret.v1");

    public string Protect(string secret) => Prefix + _protector.Protect(secret);

    public string Reveal(string stored) => IsProtected(stored) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;

    /// <summary>The secret, or null when no key of the ring can read it (a copy of the database started without its certificate).</summary>
    public string? TryReveal(string stored)
    {
        try
        {
            return Reveal(stored);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public async Task<int> ReprotectAsync(BoardDb db, CancellationToken ct)
    {
        var rows = await db.Webhooks.AsNoTracking().Select(w => new { w.Id, w.Secret }).ToListAsync(ct);
        var count = 0;
        foreach (var row in rows)
        {
            // A secret no key can read stays as it is: rewriting it would not make it readable.
            if (TryReveal(row.Secret) is not { } secret) continue;
            var again = Protect(secret);
            count += await db.Webhooks.Where(w => w.Id == row.Id && w.Secret == row.Secret).ExecuteUpdateAsync(s => s.SetProperty(w => w.Secret, again), ct);
        }
        return count;
    }

    public static bool IsProtected(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Re-protects secrets still stored in plain text; returns how many.</summary>
    public async Task<int> ProtectPlainRowsAsync(BoardDb db, CancellationToken ct)
    {
        var plain = await db.Webhooks.AsNoTracking().Where(w => !w.Secret.StartsWith(Prefix)).Select(w => new { w.Id, w.Secret }).ToListAsync(ct);
        foreach (var row in plain)
        {
            var secret = Protect(row.Secret);
            // Conditional on the old value: two instances starting together protect each row once.
            await db.Webhooks.Where(w => w.Id == row.Id && w.Secret == row.Secret).ExecuteUpdateAsync(s => s.SetProperty(w => w.Secret, secret), ct);
        }
        return plain.Count;
    }
}

/// <summary>Runs <see cref="WebhookSecrets.ProtectPlainRowsAsync"/> once at start.</summary>
public sealed class WebhookSecretUpgrade(IServiceScopeFactory scopes, WebhookSecrets secrets, ILogger<WebhookSecretUpgrade> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var count = await secrets.ProtectPlainRowsAsync(scope.ServiceProvider.GetRequiredService<BoardDb>(), ct);
        if (count > 0) log.LogInformation("Protected {Count} webhook secrets stored in plain text", count);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
