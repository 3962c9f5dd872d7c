using System.Security.Cryptography;

namespace Board.Tests;

public static class TestKeys
{
    /// <summary>A VAPID key file (P-256 private key, PEM) in <paramref name="folder"/>, made once.</summary>
    public static string VapidKeyFile(string folder)
    {
        var path = Path.Combine(folder, "vapid.pem");
        if (!File.Exists(path))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        }
        return path;
    }
}
