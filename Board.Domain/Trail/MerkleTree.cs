using System.Numerics;
using System.Security.Cryptography;

namespace Board.Domain.Trail;

/// <summary>
/// The trail as an RFC 6962 / RFC 9162 Merkle tree: leaf hash <c>SHA-256(0x00 ‖ data)</c>, node hash
/// <c>SHA-256(0x01 ‖ left ‖ right)</c>. Proofs are built from the hashes of perfect subtrees (<see cref="NodeId"/>),
/// which is what the database keeps, so a proof costs O(log n) lookups.
/// </summary>
public static class MerkleTree
{
    /// <summary>Bytes in every hash.</summary>
    public const int HashSize = 32;

    /// <summary>The root of the empty tree: SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary><c>SHA-256(0x00 ‖ data)</c>.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[1 + data.Length];
        data.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary><c>SHA-256(0x01 ‖ left ‖ right)</c>.</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>
    /// A perfect subtree: the <paramref name="Index"/>-th run of 2^<paramref name="Level"/> leaves (level 0 is a leaf).
    /// <see cref="Key"/> packs both in one number for storage.
    /// </summary>
    public readonly record struct NodeId(int Level, long Index)
    {
        private const int IndexBits = 48;

        /// <summary>Level in the top bits, index in the low 48.</summary>
        public long Key => ((long)Level << IndexBits) | Index;

        /// <summary>The leaves it covers: [<see cref="Start"/>, <see cref="End"/>).</summary>
        public long Start => Index << Level;

        /// <inheritdoc cref="Start"/>
        public long End => (Index + 1) << Level;

        /// <summary>The node a <see cref="Key"/> stands for.</summary>
        public static NodeId FromKey(long key) => new((int)(key >> IndexBits), key & ((1L << IndexBits) - 1));

        /// <summary>Every key below this is a leaf (level 0).</summary>
        public static long FirstNonLeafKey => 1L << IndexBits;
    }

    /// <summary>The perfect subtrees a tree of <paramref name="size"/> leaves is made of, largest (leftmost) first.</summary>
    public static IReadOnlyList<NodeId> Frontier(long size)
    {
        var nodes = new List<NodeId>();
        long start = 0;
        for (var level = 62; level >= 0; level--)
        {
            var width = 1L << level;
            if ((size & width) == 0) continue;
            nodes.Add(new NodeId(level, start >> level));
            start += width;
        }
        return nodes;
    }

    /// <summary>The root of the first <paramref name="size"/> leaves, from perfect subtree hashes.</summary>
    public static byte[] Root(long size, Func<NodeId, byte[]> node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return size == 0 ? EmptyRoot() : RangeHash(0, size, node);
    }

    /// <summary>The RFC 9162 inclusion proof (PATH) of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public static List<byte[]> InclusionProof(long index, long size, Func<NodeId, byte[]> node)
    {
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), "The leaf must be in the tree.");
        var proof = new List<byte[]>();
        Path(index, 0, size, node, proof);
        return proof;
    }

    /// <summary>The RFC 9162 consistency proof (PROOF) between the trees of <paramref name="first"/> and <paramref name="second"/> leaves.</summary>
    public static List<byte[]> ConsistencyProof(long first, long second, Func<NodeId, byte[]> node)
    {
        if (first < 0 || first > second) throw new ArgumentOutOfRangeException(nameof(first), "The first tree must not be larger than the second.");
        var proof = new List<byte[]>();
        if (first > 0 && first < second) SubProof(first, 0, second, true, node, proof);
        return proof;
    }

    /// <summary>The perfect subtrees <paramref name="build"/> asks for, without computing anything: what to read before building.</summary>
    public static IReadOnlySet<NodeId> NodesFor(Action<Func<NodeId, byte[]>> build)
    {
        var needed = new HashSet<NodeId>();
        var zero = new byte[HashSize];
        build(id =>
        {
            needed.Add(id);
            return zero;
        });
        return needed;
    }

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="proof"/> put <paramref name="leafHash"/> at <paramref name="index"/> in the tree with <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size || proof.Any(p => p.Length != HashSize)) return false;
        long fn = index, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                    do { fn >>= 1; sn >>= 1; } while ((fn & 1) == 0 && fn != 0);
            }
            else r = NodeHash(r, p);
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2: does <paramref name="proof"/> show the tree with <paramref name="secondRoot"/> extends the one with <paramref name="firstRoot"/>?</summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first < 0 || first > second || proof.Any(p => p.Length != HashSize)) return false;
        if (first == second) return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        if (first == 0) return proof.Count == 0;
        if (proof.Count == 0) return false;

        var path = BitOperations.IsPow2(first) ? [firstRoot.ToArray(), .. proof] : proof.ToList();
        long fn = first - 1, sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path[0], sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                    do { fn >>= 1; sn >>= 1; } while ((fn & 1) == 0 && fn != 0);
            }
            else sr = NodeHash(sr, c);
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }

    /// <summary>The largest power of two below <paramref name="n"/> (n ≥ 2): where RFC 6962 splits a tree.</summary>
    private static long Split(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>MTH of leaves [start, end), where start is a multiple of the smallest power of two ≥ end − start.</summary>
    private static byte[] RangeHash(long start, long end, Func<NodeId, byte[]> node)
    {
        var n = end - start;
        if (BitOperations.IsPow2(n))
        {
            var level = BitOperations.Log2((ulong)n);
            return node(new NodeId(level, start >> level));
        }
        var k = Split(n);
        return NodeHash(RangeHash(start, start + k, node), RangeHash(start + k, end, node));
    }

    private static void Path(long m, long start, long end, Func<NodeId, byte[]> node, List<byte[]> proof)
    {
        var n = end - start;
        if (n == 1) return;
        var k = Split(n);
        if (m < k)
        {
            Path(m, start, start + k, node, proof);
            proof.Add(RangeHash(start + k, end, node));
        }
        else
        {
            Path(m - k, start + k, end, node, proof);
            proof.Add(RangeHash(start, start + k, node));
        }
    }

    private static void SubProof(long m, long start, long end, bool complete, Func<NodeId, byte[]> node, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete) proof.Add(RangeHash(start, end, node));
            return;
        }
        var k = Split(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, node, proof);
            proof.Add(RangeHash(start + k, end, node));
        }
        else
        {
            SubProof(m - k, start + k, end, false, node, proof);
            proof.Add(RangeHash(start, start + k, node));
        }
    }

    /// <summary>
    /// Appends leaves to a tree kept as its frontier (its perfect subtrees, O(log n) hashes) and says which perfect
    /// subtrees each leaf completes: what storage adds per entry, and how a verifier recomputes a root while streaming.
    /// </summary>
    public sealed class Builder
    {
        private readonly List<(NodeId Id, byte[] Hash)> _frontier = [];

        /// <summary>Leaves so far.</summary>
        public long Size { get; private set; }

        /// <summary>The nodes of <see cref="Frontier"/>(<see cref="Size"/>) with their hashes, left to right: all a builder keeps.</summary>
        public IReadOnlyList<(NodeId Id, byte[] Hash)> Edge => _frontier;

        /// <summary>An empty tree.</summary>
        public Builder() { }

        /// <summary>The tree of <paramref name="size"/> leaves given its <see cref="Frontier"/> hashes.</summary>
        public Builder(long size, Func<NodeId, byte[]> node)
        {
            Size = size;
            foreach (var id in Frontier(size)) _frontier.Add((id, node(id)));
        }

        /// <summary>Adds the leaf with hash <paramref name="leafHash"/>; returns the leaf node and every node it completed.</summary>
        public List<(NodeId Id, byte[] Hash)> Append(byte[] leafHash)
        {
            var added = new List<(NodeId, byte[])> { (new NodeId(0, Size), leafHash) };
            _frontier.Add((new NodeId(0, Size), leafHash));
            Size++;
            while (_frontier.Count >= 2 && _frontier[^1].Id.Level == _frontier[^2].Id.Level)
            {
                var (left, right) = (_frontier[^2], _frontier[^1]);
                _frontier.RemoveRange(_frontier.Count - 2, 2);
                var parent = (new NodeId(left.Id.Level + 1, left.Id.Index >> 1), NodeHash(left.Hash, right.Hash));
                _frontier.Add(parent);
                added.Add(parent);
            }
            return added;
        }

        /// <summary>The root of the tree so far.</summary>
        public byte[] Root()
        {
            if (_frontier.Count == 0) return EmptyRoot();
            var root = _frontier[^1].Hash;
            for (var i = _frontier.Count - 2; i >= 0; i--) root = NodeHash(_frontier[i].Hash, root);
            return root;
        }
    }

    /// <summary>The leaf hash of a trail entry: its 32-byte chain hash is the leaf data.</summary>
    public static byte[] LeafOf(AuditEntry entry) => LeafOfHash(entry.Hash);

    /// <inheritdoc cref="LeafOf"/>
    public static byte[] LeafOfHash(string entryHash) => LeafHash(Convert.FromHexString(entryHash));
}
