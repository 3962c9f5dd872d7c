using System.Text.Json.Nodes;
using Board.Domain.Trail;
using static Board.Tests.Given;

namespace Board.Tests.Trail;

/// <summary>
/// The Merkle tree against the RFC 6962 / Certificate Transparency reference vectors (transparency-dev/merkle,
/// testonly/constants.go and reference_test.go), then random sizes and pairs against a direct reading of the RFC.
/// </summary>
[Trait("Kind", "Domain")]
public sealed class MerkleTreeTests
{
    private static readonly byte[][] LeafInputs =
        [.. new[] { "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" }.Select(Convert.FromHexString)];

    private static readonly string[] RootHashes =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    [Fact]
    public void Roots_MatchTheReferenceVectors_ForEverySize()
    {
        for (var size = 0; size <= LeafInputs.Length; size++)
        {
            var nodes = Nodes([.. LeafInputs.Take(size).Select(d => MerkleTree.LeafHash(d))]);
            Assert.Equal(RootHashes[size], Hex(MerkleTree.Root(size, nodes.Get)));
            var builder = new MerkleTree.Builder();
            foreach (var d in LeafInputs.Take(size)) builder.Append(MerkleTree.LeafHash(d));
            Assert.Equal(RootHashes[size], Hex(builder.Root()));
        }
    }

    [Theory]
    [InlineData(0, 1, "")]
    [InlineData(0, 2, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")]
    [InlineData(1, 2, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")]
    [InlineData(2, 3, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]
    [InlineData(1, 5, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    [InlineData(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e 6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0 d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void InclusionProofs_MatchTheReferenceVectors(int index, int size, string expected)
    {
        var leaves = LeafInputs.Take(size).Select(d => MerkleTree.LeafHash(d)).ToArray();
        var proof = MerkleTree.InclusionProof(index, size, Nodes(leaves).Get);
        Assert.Equal(expected, string.Join(' ', proof.Select(Hex)));
        Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[index], proof, Convert.FromHexString(RootHashes[size])));
    }

    [Theory]
    [InlineData(1, 1, "")]
    [InlineData(1, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e 6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    [InlineData(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0 d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void ConsistencyProofs_MatchTheReferenceVectors(int first, int second, string expected)
    {
        var leaves = LeafInputs.Take(second).Select(d => MerkleTree.LeafHash(d)).ToArray();
        var proof = MerkleTree.ConsistencyProof(first, second, Nodes(leaves).Get);
        Assert.Equal(expected, string.Join(' ', proof.Select(Hex)));
        Assert.True(MerkleTree.VerifyConsistency(first, second, Convert.FromHexString(RootHashes[first]), Convert.FromHexString(RootHashes[second]), proof));
    }

    [Fact]
    public void Verify_RefusesWhatTheReferenceRefuses()
    {
        var leaves = LeafInputs.Select(d => MerkleTree.LeafHash(d)).ToArray();
        var nodes = Nodes(leaves);
        var root = Convert.FromHexString(RootHashes[8]);
        var proof = MerkleTree.InclusionProof(5, 8, nodes.Get);
        Assert.False(MerkleTree.VerifyInclusion(5, 8, leaves[4], proof, root));
        Assert.False(MerkleTree.VerifyInclusion(4, 8, leaves[5], proof, root));
        Assert.False(MerkleTree.VerifyInclusion(5, 9, leaves[5], proof, root));
        Assert.False(MerkleTree.VerifyInclusion(8, 8, leaves[5], proof, root));
        Assert.False(MerkleTree.VerifyInclusion(5, 8, leaves[5], [.. proof, proof[0]], root));
        Assert.False(MerkleTree.VerifyInclusion(5, 8, leaves[5], proof[..^1], root));

        var consistency = MerkleTree.ConsistencyProof(6, 8, nodes.Get);
        var root6 = Convert.FromHexString(RootHashes[6]);
        Assert.False(MerkleTree.VerifyConsistency(6, 8, Convert.FromHexString(RootHashes[5]), root, consistency));
        Assert.False(MerkleTree.VerifyConsistency(6, 8, root6, Convert.FromHexString(RootHashes[7]), consistency));
        Assert.False(MerkleTree.VerifyConsistency(5, 8, root6, root, consistency));
        Assert.False(MerkleTree.VerifyConsistency(6, 8, root6, root, []));
        Assert.False(MerkleTree.VerifyConsistency(8, 6, root, root6, consistency));
        Assert.True(MerkleTree.VerifyConsistency(6, 8, root6, root, consistency));
    }

    [Fact]
    public void RandomSizesAndPairs_EveryProofVerifies_AndAnyFlippedByteFails()
    {
        var random = new Random(20261207);
        for (var round = 0; round < 60; round++)
        {
            var size = random.Next(1, 300);
            var leaves = Enumerable.Range(0, size).Select(_ => MerkleTree.LeafHash(RandomBytes(random, 32))).ToArray();
            var nodes = Nodes(leaves);
            var root = MerkleTree.Root(size, nodes.Get);
            Assert.Equal(Hex(Reference(leaves)), Hex(root));

            var index = random.Next(size);
            var proof = MerkleTree.InclusionProof(index, size, nodes.Get);
            Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[index], proof, root), $"inclusion {index} in {size}");
            if (proof.Count > 0)
            {
                var flipped = proof.Select(p => p.ToArray()).ToList();
                flipped[random.Next(flipped.Count)][random.Next(32)] ^= (byte)(1 << random.Next(8));
                Assert.False(MerkleTree.VerifyInclusion(index, size, leaves[index], flipped, root));
            }

            var first = random.Next(1, size + 1);
            var consistency = MerkleTree.ConsistencyProof(first, size, nodes.Get);
            var firstRoot = MerkleTree.Root(first, nodes.Get);
            Assert.Equal(Hex(Reference(leaves[..first])), Hex(firstRoot));
            Assert.True(MerkleTree.VerifyConsistency(first, size, firstRoot, root, consistency), $"consistency {first} to {size}");
            if (consistency.Count > 0)
            {
                var flipped = consistency.Select(p => p.ToArray()).ToList();
                flipped[random.Next(flipped.Count)][random.Next(32)] ^= (byte)(1 << random.Next(8));
                Assert.False(MerkleTree.VerifyConsistency(first, size, firstRoot, root, flipped));
            }
        }
    }

    [Fact]
    public void AnyFlippedByteInAnEntry_MakesItsInclusionProofFail()
    {
        var random = new Random(7);
        var entries = Chain(97);
        var leaves = entries.Select(MerkleTree.LeafOf).ToArray();
        var nodes = Nodes(leaves);
        var root = MerkleTree.Root(entries.Count, nodes.Get);
        for (var round = 0; round < 200; round++)
        {
            var index = random.Next(entries.Count);
            var entry = entries[index];
            var proof = MerkleTree.InclusionProof(index, entries.Count, nodes.Get);
            Assert.True(MerkleTree.VerifyInclusion(index, entries.Count, MerkleTree.LeafOf(entry), proof, root));

            // A byte flipped in the entry's content: the hash an outsider recomputes no longer leads to the root.
            var data = entry.Data.ToCharArray();
            var at = random.Next(data.Length);
            data[at] = data[at] == '9' ? '8' : data[at] is >= '0' and < '9' ? (char)(data[at] + 1) : data[at] == 'i' ? 'j' : data[at];
            if (new string(data) == entry.Data) data = "{\"i\":-1}".ToCharArray();
            var changed = AuditEntry.Restore(entry.Seq, entry.At, entry.ActorId, entry.ActorName, entry.Action, entry.BoardId,
                entry.ProposalId, new string(data), entry.PrevHash, entry.Hash);
            Assert.False(MerkleTree.VerifyInclusion(index, entries.Count, MerkleTree.LeafOfHash(HashChain.Compute(changed)), proof, root));

            // A byte flipped in the stored hash itself.
            var hash = Convert.FromHexString(entry.Hash);
            hash[random.Next(32)] ^= (byte)(1 << random.Next(8));
            Assert.False(MerkleTree.VerifyInclusion(index, entries.Count, MerkleTree.LeafHash(hash), proof, root));
        }
    }

    [Fact]
    public void Builder_FromAFrontier_ContinuesTheSameTree()
    {
        var leaves = Enumerable.Range(0, 100).Select(i => MerkleTree.LeafHash([(byte)i])).ToArray();
        var nodes = Nodes(leaves);
        for (var size = 0; size <= 100; size += 7)
        {
            var builder = new MerkleTree.Builder(size, nodes.Get);
            foreach (var leaf in leaves[size..]) builder.Append(leaf);
            Assert.Equal(Hex(MerkleTree.Root(100, nodes.Get)), Hex(builder.Root()));
        }
    }

    /// <summary>RFC 6962 §2.1 read literally: MTH(D[n]) = H(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])).</summary>
    private static byte[] Reference(byte[][] leaves)
    {
        if (leaves.Length == 0) return MerkleTree.EmptyRoot();
        if (leaves.Length == 1) return leaves[0];
        var k = 1;
        while (k * 2 < leaves.Length) k *= 2;
        return MerkleTree.NodeHash(Reference(leaves[..k]), Reference(leaves[k..]));
    }

    /// <summary>Every perfect subtree of the tree, as storage keeps them.</summary>
    internal sealed class NodeTable(Dictionary<MerkleTree.NodeId, byte[]> nodes)
    {
        public byte[] Get(MerkleTree.NodeId id) => nodes.TryGetValue(id, out var hash) ? hash : throw new KeyNotFoundException($"no node {id}");
    }

    internal static NodeTable Nodes(byte[][] leafHashes)
    {
        var builder = new MerkleTree.Builder();
        var nodes = new Dictionary<MerkleTree.NodeId, byte[]>();
        foreach (var leaf in leafHashes)
            foreach (var (id, hash) in builder.Append(leaf)) nodes.Add(id, hash);
        return new NodeTable(nodes);
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var bytes = new byte[n];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static List<AuditEntry> Chain(int n)
    {
        var list = new List<AuditEntry>();
        var (seq, hash) = (0L, HashChain.Genesis);
        for (var i = 0; i < n; i++)
        {
            var e = AuditEntry.Append(seq, hash, new TrailFact("comment.added", Staff.AsActor(), Now.AddSeconds(i), Guid.Empty, Guid.Empty, new JsonObject { ["i"] = i * 37 }));
            list.Add(e);
            (seq, hash) = (e.Seq, e.Hash);
        }
        return list;
    }
}
