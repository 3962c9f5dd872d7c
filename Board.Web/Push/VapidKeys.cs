using System.Buffers.Text;
using System.Security.Cryptography;
using Board.Web.Hosting;

namespace Board.Web.Push;

/// <summary>
/// The application server's VAPID key pair (RFC 8292): a P-256 private key in a PEM file named by <c>Keys:VapidKey</c>,
/// outside the database like every key. In Development a missing file is made in the app's data folder; elsewhere
/// the setting is required, since a new key would orphan every device's subscription.
/// </summary>
public sealed class VapidKeys
{
    public const string Setting = "Keys:VapidKey";

    private VapidKeys(string publicKey, string privateKey) => (PublicKey, PrivateKey) = (publicKey, privateKey);

    /// <summary>The uncompressed P-256 point, base64url: the browser's <c>applicationServerKey</c>.</summary>
    public string PublicKey { get; }
    /// <summary>The private scalar, base64url, as the push client takes it.</summary>
    public string PrivateKey { get; }

    public static VapidKeys Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[Setting];
        var path = string.IsNullOrWhiteSpace(configured) ? null : configured.Trim();
        if (path is null && !environment.IsDevelopment())
            throw new SettingException($"{Setting} is not set: Web Push needs the path of a P-256 private key in PEM (see README, \"Web Push\").");
        path ??= Path.Combine(environment.ContentRootPath, "data", "vapid.pem");
        if (!File.Exists(path))
        {
            if (!environment.IsDevelopment()) throw new SettingException($"{Setting} = '{configured}': no such file.");
            Generate(path);
        }
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            var parameters = key.ExportParameters(includePrivateParameters: true);
            if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value || parameters.D is null)
                throw new SettingException($"{Setting} = '{path}': not a P-256 private key.");
            return new VapidKeys(Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), Base64Url.EncodeToString(parameters.D));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or IOException)
        {
            throw new SettingException($"{Setting} = '{path}': not a readable P-256 private key in PEM.", e);
        }
    }

    /// <summary>Writes a new key; two instances starting together keep whichever was written first.</summary>
    private static void Generate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}
