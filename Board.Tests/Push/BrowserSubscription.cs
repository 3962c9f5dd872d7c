using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Board.Tests.Push;

/// <summary>
/// What a browser does for a push subscription: a P-256 key pair and a 16-byte auth secret (RFC 8291, section 2),
/// and the receiving end of <c>aes128gcm</c> (RFC 8188) — the test decrypts exactly as the browser would.
/// </summary>
public sealed class BrowserSubscription(string endpoint) : IDisposable
{
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _auth = RandomNumberGenerator.GetBytes(16);

    public string Endpoint { get; } = endpoint;

    public byte[] PublicKey
    {
        get
        {
            var q = _key.ExportParameters(false).Q;
            return [0x04, .. q.X!, .. q.Y!];
        }
    }

    /// <summary>The body of <c>POST /api/me/push</c>: what <c>PushSubscription.toJSON()</c> gives.</summary>
    public object Json => new { endpoint = Endpoint, keys = new { p256dh = Base64Url.EncodeToString(PublicKey), auth = Base64Url.EncodeToString(_auth) } };

    /// <summary>Decrypts an <c>aes128gcm</c> body (one record) per RFC 8291, section 3.4, and returns the plaintext.</summary>
    public string Decrypt(byte[] body)
    {
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        int idLength = body[20];
        Assert.Equal(65, idLength);
        var serverPublic = body[21..(21 + idLength)];
        var record = body[(21 + idLength)..];
        Assert.True(record.Length <= recordSize, "one record");

        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = serverPublic[1..33], Y = serverPublic[33..65] },
        });
        var shared = _key.DeriveRawSecretAgreement(server.PublicKey);
        byte[] keyInfo = [.. "WebPush: info\0"u8, .. PublicKey, .. serverPublic];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, salt: _auth, info: keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, "Content-Encoding: aes128gcm\0"u8.ToArray());
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, "Content-Encoding: nonce\0"u8.ToArray());

        using var aes = new AesGcm(cek, 16);
        var plain = new byte[record.Length - 16];
        aes.Decrypt(nonce, record[..^16], record[^16..], plain);
        // The last record ends with the delimiter 2, then zero padding (RFC 8188, section 2).
        var end = plain.Length - 1;
        while (end >= 0 && plain[end] == 0) end--;
        Assert.Equal(2, plain[end]);
        return Encoding.UTF8.GetString(plain, 0, end);
    }

    public JsonElement DecryptJson(byte[] body) => JsonDocument.Parse(Decrypt(body)).RootElement;

    public void Dispose() => _key.Dispose();
}
