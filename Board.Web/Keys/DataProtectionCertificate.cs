using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Board.Web.Keys;

/// <summary>
/// The certificate that encrypts the Data Protection key ring at rest (<c>Keys:DataProtectionCertificate</c>, a
/// PKCS#12 file with its private key, and <c>Keys:DataProtectionCertificatePassword</c>). The key ring lives in the
/// database, so the key that protects it must not: a copy of the database alone then mints no session and reveals no
/// secret. In Development a certificate is generated into the data folder when none is there; elsewhere it is
/// required. After a rotation, <c>Keys:PreviousDataProtectionCertificates:N:Path</c> (and <c>:Password</c>) still
/// decrypt the keys the old one protected, until the start has replaced them.
/// Loading never throws: a missing or unreadable certificate is a <see cref="Problem"/> the start reports in one line.
/// </summary>
public sealed class DataProtectionCertificate
{
    public const string Setting = "Keys:DataProtectionCertificate";
    public const string PasswordSetting = "Keys:DataProtectionCertificatePassword";
    public const string PreviousSetting = "Keys:PreviousDataProtectionCertificates";

    private DataProtectionCertificate(X509Certificate2? current, IReadOnlyList<X509Certificate2> previous, string? path, bool generated, string? problem) =>
        (Current, Previous, Path, Generated, Problem) = (current, previous, path, generated, problem);

    /// <summary>Encrypts new keys and decrypts them; null only when <see cref="Problem"/> says why.</summary>
    public X509Certificate2? Current { get; }

    /// <summary>Certificates of earlier rotations: they decrypt old keys, never encrypt new ones.</summary>
    public IReadOnlyList<X509Certificate2> Previous { get; }

    public string? Path { get; }

    /// <summary>Whether this start generated the certificate (Development, none there yet).</summary>
    public bool Generated { get; }

    /// <summary>Why Board cannot start, in one line naming the setting; null when the certificate is in hand.</summary>
    public string? Problem { get; }

    /// <summary>Refuses the start, in one line naming the setting, when the certificate could not be had.</summary>
    public void ThrowIfMissing()
    {
        if (Problem is { } problem) throw new Hosting.SettingException(problem);
    }

    public IEnumerable<X509Certificate2> All => Current is null ? Previous : Previous.Prepend(Current);

    /// <summary>The default place in Development: the app's data folder, next to its SQLite file, never in it.</summary>
    public static string DevelopmentPath(IHostEnvironment environment) =>
        System.IO.Path.Combine(environment.ContentRootPath, "data", "keys", "dataprotection.pfx");

    public static DataProtectionCertificate Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[Setting];
        var password = configuration[PasswordSetting];
        string path;
        var generated = false;
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (!environment.IsDevelopment())
                return Failed($"{Setting} is required outside Development: the path of a PKCS#12 (.pfx) certificate with its private key, which encrypts the sign-in key ring kept in the database (docs/security.md).");
            path = DevelopmentPath(environment);
        }
        else path = System.IO.Path.GetFullPath(configured.Trim());

        if (!File.Exists(path))
        {
            if (!environment.IsDevelopment()) return Failed($"{Setting} = '{configured}': no such file.");
            generated = CreateFile(path, password);
        }
        if (Open(path, password) is not { } current) return Failed(OpenProblem(Setting, path));

        var previous = new List<X509Certificate2>();
        foreach (var (entry, index) in configuration.GetSection(PreviousSetting).GetChildren().Select((e, i) => (e, i)))
        {
            var key = $"{PreviousSetting}:{index}:Path";
            var previousPath = entry["Path"] ?? entry.Value;
            if (string.IsNullOrWhiteSpace(previousPath)) return Failed($"{key} is empty: give the path of the earlier certificate.");
            if (Open(System.IO.Path.GetFullPath(previousPath), entry["Password"]) is not { } old) return Failed(OpenProblem(key, previousPath));
            previous.Add(old);
        }
        return new DataProtectionCertificate(current, previous, path, generated, null);

        static DataProtectionCertificate Failed(string problem) => new(null, [], null, false, problem);
    }

    /// <summary>
    /// A self-signed RSA certificate for encrypting keys, written as PKCS#12 readable by its owner only. Two processes
    /// starting at once on one data folder keep whichever was written first. Returns whether this call wrote it.
    /// </summary>
    public static bool CreateFile(string path, string? password = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Board Data Protection (generated)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        var partial = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        File.WriteAllBytes(partial, certificate.Export(X509ContentType.Pkcs12, password));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            File.Move(partial, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(partial);
            return false;
        }
    }

    private static X509Certificate2? Open(string path, string? password)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            return certificate.HasPrivateKey && certificate.GetRSAPrivateKey() is not null ? certificate : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string OpenProblem(string setting, string path) =>
        $"{setting} = '{path}': cannot be read as a PKCS#12 certificate with an RSA private key (wrong password, wrong file, or not readable by this user).";
}
