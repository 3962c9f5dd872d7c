using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Board.Web.Persistence;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Keys;

/// <summary>Data kept protected with the key ring (webhook secrets…): re-protected with the newest key when old keys are retired.</summary>
public interface IProtectedWithKeyRing
{
    /// <summary>Reads every protected value with whichever key protected it and writes it again under the current default key; returns how many.</summary>
    Task<int> ReprotectAsync(BoardDb db, CancellationToken ct);
}

/// <summary>
/// At start, before the first key is used: every key of the ring that the current certificate did not encrypt but
/// that can still be read — stored unencrypted by an earlier version, or encrypted with a certificate of an earlier
/// rotation (<see cref="DataProtectionCertificate.PreviousSetting"/>) — is replaced. A new key encrypted with the
/// current certificate becomes the default, every <see cref="IProtectedWithKeyRing"/> is re-protected under it, and
/// the old keys are revoked and their XML deleted from the database, so a copy taken from now on holds nothing that
/// opens a session or a secret. Sessions signed with an old key end (members sign in again).
/// Keys no configured certificate can decrypt (a copy or a restore started without its certificate) are left as they
/// are and reported in one line: they cannot be read, so nothing they protect can be.
/// </summary>
public sealed class KeyRingMigration(
    DataProtectionCertificate certificate, IKeyManager keys, IEnumerable<IProtectedWithKeyRing> protectedData,
    TimeProvider clock, ILogger<KeyRingMigration> log)
{
    /// <summary>How long a key made here is the default before Data Protection rolls to a new one (its own default).</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    public sealed record Outcome(int Replaced, int Reprotected, int Unreadable);

    public async Task<Outcome> RunAsync(BoardDb db, CancellationToken ct)
    {
        var current = certificate.Current ?? throw new InvalidOperationException(certificate.Problem);
        var readable = certificate.All.Select(c => c.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var rows = await db.DataProtectionKeys.AsNoTracking().ToListAsync(ct);
        var stale = new List<(int Row, Guid KeyId)>();
        var unreadable = 0;
        foreach (var row in rows)
        {
            if (KeyOf(row.Xml) is not { } key) continue;
            var encryptedWith = EncryptedWith(key.Element);
            if (encryptedWith == current.Thumbprint) continue;
            if (encryptedWith is null || readable.Contains(encryptedWith)) stale.Add((row.Id, key.Id));
            else unreadable++;
        }

        var reprotected = 0;
        if (stale.Count > 0)
        {
            var now = clock.GetUtcNow();
            keys.CreateNewKey(now, now + KeyLifetime);
            foreach (var data in protectedData) reprotected += await data.ReprotectAsync(db, ct);
            foreach (var (_, keyId) in stale) keys.RevokeKey(keyId, "Replaced by a key encrypted with the certificate of " + DataProtectionCertificate.Setting);
            var ids = stale.Select(s => s.Row).ToList();
            await db.DataProtectionKeys.Where(k => ids.Contains(k.Id)).ExecuteDeleteAsync(ct);
            log.LogWarning("Replaced {Count} sign-in keys that were not encrypted with the certificate of {Setting} ({Thumbprint}); "
                + "re-protected {Reprotected} secrets; sessions signed with the old keys have ended",
                stale.Count, DataProtectionCertificate.Setting, current.Thumbprint, reprotected);
        }
        if (unreadable > 0)
            log.LogError("{Count} sign-in keys in the database were encrypted with a certificate other than the one of {Setting} ({Thumbprint}): "
                + "sessions signed with them are refused and secrets protected with them cannot be read; if this is a copy or a restore, "
                + "configure the original certificate", unreadable, DataProtectionCertificate.Setting, current.Thumbprint);
        return new Outcome(stale.Count, reprotected, unreadable);
    }

    private static (Guid Id, XElement Element)? KeyOf(string? xml)
    {
        if (xml is null) return null;
        try
        {
            var element = XElement.Parse(xml);
            return element.Name.LocalName == "key" && Guid.TryParse((string?)element.Attribute("id"), out var id) ? (id, element) : null;
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    /// <summary>The thumbprint of the certificate a key's secret was encrypted with; null when it is stored unencrypted.</summary>
    public static string? EncryptedWith(XElement key)
    {
        if (key.Descendants().FirstOrDefault(e => e.Name.LocalName == "encryptedSecret") is not { } secret) return null;
        var der = secret.Descendants().FirstOrDefault(e => e.Name.LocalName == "X509Certificate")?.Value;
        if (der is null) return "";
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der));
            return certificate.Thumbprint;
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return "";
        }
    }
}
