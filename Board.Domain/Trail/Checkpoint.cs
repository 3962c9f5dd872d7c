using System.Globalization;

namespace Board.Domain.Trail;

/// <summary>
/// A C2SP tlog-checkpoint body: the origin line, the tree size in decimal, the base64 root hash, each ending in a
/// newline (optional extension lines may follow; Board writes none). Signed as a note, it is what leaves Board.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] Root)
{
    /// <summary>The webhook event a new checkpoint is sent as.</summary>
    public const string Event = "trail.checkpoint";

    /// <summary>The body, ready to be signed.</summary>
    public string Body() => $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(Root)}\n";

    /// <summary>Reads a body (the text of an opened note); null when it is not a checkpoint.</summary>
    public static Checkpoint? Parse(string text)
    {
        if (!text.EndsWith('\n')) return null;
        var lines = text[..^1].Split('\n');
        if (lines.Length < 3 || lines[0].Length == 0) return null;
        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || lines[1] != size.ToString(CultureInfo.InvariantCulture))
            return null;
        try
        {
            var root = Convert.FromBase64String(lines[2]);
            return root.Length == MerkleTree.HashSize ? new Checkpoint(lines[0], size, root) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
