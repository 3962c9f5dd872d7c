using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Board.Web.Trail;

/// <summary>
/// C2SP signed-note with Ed25519 keys, as golang.org/x/mod/sumdb/note reads and writes them: a text ending in a
/// newline, a blank line, then lines <c>— &lt;name&gt; &lt;base64(key hash ‖ signature)&gt;</c>. The key hash is the
/// first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.
/// </summary>
public static class SignedNote
{
    /// <summary>The signature type byte of Ed25519 in note keys.</summary>
    public const byte Ed25519 = 0x01;

    private const string Dash = "\u2014 ";
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    public static uint KeyHash(string name, ReadOnlySpan<byte> publicKey)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(name) + 2 + publicKey.Length];
        var n = Encoding.UTF8.GetBytes(name, bytes);
        bytes[n] = (byte)'\n';
        bytes[n + 1] = Ed25519;
        publicKey.CopyTo(bytes.AsSpan(n + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(bytes));
    }

    /// <summary>A key name: non-empty, no spaces or plus signs (they separate the fields of a key).</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 200 && !name.Any(c => c == '+' || char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary><c>&lt;name&gt;+&lt;hex key hash&gt;+&lt;base64(0x01 ‖ public key)&gt;</c>.</summary>
    public static string VerifierKey(string name, ReadOnlySpan<byte> publicKey) =>
        $"{name}+{KeyHash(name, publicKey):x8}+{Convert.ToBase64String([Ed25519, .. publicKey])}";

    /// <summary>Reads a verifier key; null when it is not a well-formed Ed25519 note key whose hash matches.</summary>
    public static NoteVerifier? ParseVerifierKey(string text)
    {
        var parts = text.Trim().Split('+', 3);
        if (parts.Length != 3 || !IsValidName(parts[0]) || parts[1].Length != 8
            || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hash)) return null;
        byte[] key;
        try
        {
            key = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (key.Length != 33 || key[0] != Ed25519 || KeyHash(parts[0], key.AsSpan(1)) != hash) return null;
        return new NoteVerifier(parts[0], hash, key[1..]);
    }

    /// <summary>
    /// The text of <paramref name="note"/> when a signature line of <paramref name="verifier"/> verifies it; null when
    /// the note is malformed or no line of that key verifies.
    /// </summary>
    public static string? Open(string note, NoteVerifier verifier)
    {
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n')) return null;
        var text = note[..(split + 1)];
        var publicKey = PublicKey.Import(Algorithm, verifier.PublicKey, KeyBlobFormat.RawPublicKey);
        var signatures = new List<(string Name, byte[] Signature)>();
        foreach (var line in note[(split + 2)..^1].Split('\n'))
        {
            // Every line must be a signature line, as Go's note.Open requires, before any of them counts.
            if (!line.StartsWith(Dash, StringComparison.Ordinal)) return null;
            var fields = line[Dash.Length..].Split(' ');
            if (fields.Length != 2 || !IsValidName(fields[0])) return null;
            try
            {
                var signature = Convert.FromBase64String(fields[1]);
                if (signature.Length < 5) return null;
                signatures.Add((fields[0], signature));
            }
            catch (FormatException)
            {
                return null;
            }
        }
        foreach (var (name, signature) in signatures)
        {
            if (name != verifier.Name || signature.Length != 4 + 64 || BinaryPrimitives.ReadUInt32BigEndian(signature) != verifier.KeyHash) continue;
            if (Algorithm.Verify(publicKey, Encoding.UTF8.GetBytes(text), signature.AsSpan(4))) return text;
        }
        return null;
    }

    /// <summary>The signature line <paramref name="key"/> adds under <paramref name="text"/>.</summary>
    internal static string SignatureLine(string name, uint keyHash, ReadOnlySpan<byte> signature)
    {
        var bytes = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, keyHash);
        signature.CopyTo(bytes.AsSpan(4));
        return $"{Dash}{name} {Convert.ToBase64String(bytes)}\n";
    }
}

/// <summary>A note verifier: name, key hash and Ed25519 public key.</summary>
public sealed record NoteVerifier(string Name, uint KeyHash, byte[] PublicKey)
{
    public override string ToString() => SignedNote.VerifierKey(Name, PublicKey);
}

/// <summary>
/// The trail's Ed25519 signing key, read from a key file in Go's note signer format
/// (<c>PRIVATE+KEY+&lt;name&gt;+&lt;hex key hash&gt;+&lt;base64(0x01 ‖ 32-byte seed)&gt;</c>), so that Go's note
/// tools can use the same file. Its name is the checkpoints' origin.
/// </summary>
public sealed class TrailKey : IDisposable
{
    private const string Prefix = "PRIVATE+KEY+";
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    private TrailKey(string name, Key key)
    {
        Name = name;
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        Verifier = new NoteVerifier(name, SignedNote.KeyHash(name, PublicKey), PublicKey);
    }

    public string Name { get; }
    public byte[] PublicKey { get; }
    public NoteVerifier Verifier { get; }

    /// <summary>Reads a signer key; null when it is malformed or its key hash does not match.</summary>
    public static TrailKey? Parse(string text)
    {
        text = text.Trim();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = text[Prefix.Length..].Split('+', 3);
        if (parts.Length != 3 || !SignedNote.IsValidName(parts[0]) || parts[1].Length != 8
            || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hash)) return null;
        byte[] seed;
        try
        {
            seed = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (seed.Length != 33 || seed[0] != SignedNote.Ed25519) return null;
        var key = Key.Import(Algorithm, seed.AsSpan(1), KeyBlobFormat.RawPrivateKey);
        var trailKey = new TrailKey(parts[0], key);
        if (trailKey.Verifier.KeyHash == hash) return trailKey;
        trailKey.Dispose();
        return null;
    }

    /// <summary>A new key named <paramref name="name"/>, as the text of its key file.</summary>
    public static string Generate(string name)
    {
        if (!SignedNote.IsValidName(name)) throw new ArgumentException("A key name has no spaces or '+'.", nameof(name));
        using var key = Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextArchiving });
        var seed = key.Export(KeyBlobFormat.RawPrivateKey);
        var hash = SignedNote.KeyHash(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        return $"{Prefix}{name}+{hash:x8}+{Convert.ToBase64String([SignedNote.Ed25519, .. seed])}\n";
    }

    /// <summary><paramref name="text"/> (lines, each ending in a newline) signed as a note.</summary>
    public string Sign(string text)
    {
        if (text.Length == 0 || !text.EndsWith('\n') || text.Contains("\n\n", StringComparison.Ordinal))
            throw new ArgumentException("A note's text is non-empty lines, each ending in a newline.", nameof(text));
        var signature = Algorithm.Sign(_key, Encoding.UTF8.GetBytes(text));
        return text + "\n" + SignedNote.SignatureLine(Name, Verifier.KeyHash, signature);
    }

    public void Dispose() => _key.Dispose();
}
