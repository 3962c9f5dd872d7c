using Board.Domain.Trail;
using Board.Web.Trail;

namespace Board.Tests.Trail;

/// <summary>
/// Signed notes and checkpoints against the vectors of golang.org/x/mod/sumdb/note (note_test.go): the same key
/// hash, the same verifier key, byte for byte the same signed note (Ed25519 is deterministic), and the same refusals.
/// </summary>
[Trait("Kind", "Domain")]
public sealed class SignedNoteTests
{
    private const string PeterSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    private const string PeterVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private const string EnochVerifier = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    private const string Text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    private const string PeterSig = "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private const string EnochSig = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    [Fact]
    public void Keys_HaveTheGoNoteKeyHashes()
    {
        using var signer = TrailKey.Parse(PeterSigner)!;
        Assert.Equal("PeterNeumann", signer.Name);
        Assert.Equal(0xc74f20a3u, signer.Verifier.KeyHash);
        Assert.Equal(PeterVerifier, signer.Verifier.ToString());
        var enoch = SignedNote.ParseVerifierKey(EnochVerifier)!;
        Assert.Equal(0xaf0cfe78u, enoch.KeyHash);
        Assert.Equal(0xaf0cfe78u, SignedNote.KeyHash("EnochRoot", enoch.PublicKey));
    }

    [Fact]
    public void Sign_GivesTheGoNoteSignature_ByteForByte()
    {
        using var signer = TrailKey.Parse(PeterSigner)!;
        Assert.Equal(Text + "\n" + PeterSig, signer.Sign(Text));
    }

    [Fact]
    public void Open_VerifiesTheGoNoteExamples_AndRefusesTheirManglings()
    {
        var peter = SignedNote.ParseVerifierKey(PeterVerifier)!;
        var enoch = SignedNote.ParseVerifierKey(EnochVerifier)!;
        Assert.Equal(Text, SignedNote.Open(Text + "\n" + PeterSig + EnochSig, peter));
        Assert.Equal(Text, SignedNote.Open(Text + "\n" + PeterSig + EnochSig, enoch));
        Assert.Null(SignedNote.Open(Text + "\n" + EnochSig, peter));
        Assert.Null(SignedNote.Open(Text + "\n" + PeterSig[..60] + "ABCD" + PeterSig[60..], peter));
        Assert.Null(SignedNote.Open(Text.Replace("problem,", "problem;") + "\n" + PeterSig, peter));
        Assert.Null(SignedNote.Open(Text, peter));
        Assert.Null(SignedNote.Open(Text + "\n" + PeterSig[..^1], peter));
        Assert.Null(SignedNote.Open(Text + "\n" + PeterSig + "Unexpected line.\n", peter));
        Assert.Null(SignedNote.Open(Text + "\n" + PeterSig.Replace("x08g", "xxxx"), peter));
    }

    [Fact]
    public void VerifierKeys_RefuseTheGoNoteBadKeys()
    {
        Assert.NotNull(SignedNote.ParseVerifierKey(PeterVerifier));
        Assert.Null(SignedNote.ParseVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="));
        Assert.Null(SignedNote.ParseVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
        var bytes = PeterVerifier.ToCharArray();
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i]++;
            Assert.Null(SignedNote.ParseVerifierKey(new string(bytes)));
            bytes[i]--;
        }
        for (var i = 1; i < PeterVerifier.Length; i++) Assert.Null(SignedNote.ParseVerifierKey(PeterVerifier[..i]));
        Assert.Null(TrailKey.Parse(PeterSigner.Replace("c74f20a3", "c74f20a4")));
    }

    [Fact]
    public void GeneratedKey_SignsCheckpointsItsVerifierOpens()
    {
        using var key = TrailKey.Parse(TrailKey.Generate("board.example/trail"))!;
        var root = MerkleTree.LeafHash([1, 2, 3]);
        var note = key.Sign(new Checkpoint(key.Name, 42, root).Body());
        Assert.StartsWith($"board.example/trail\n42\n{Convert.ToBase64String(root)}\n\n\u2014 board.example/trail ", note);
        var verifier = SignedNote.ParseVerifierKey(key.Verifier.ToString())!;
        var checkpoint = Checkpoint.Parse(SignedNote.Open(note, verifier)!)!;
        Assert.Equal((key.Name, 42L), (checkpoint.Origin, checkpoint.Size));
        Assert.Equal(root, checkpoint.Root);
        using var other = TrailKey.Parse(TrailKey.Generate("board.example/trail"))!;
        Assert.Null(SignedNote.Open(note, other.Verifier));
        Assert.Null(Checkpoint.Parse("origin\n042\n" + Convert.ToBase64String(root) + "\n"));
        Assert.Null(Checkpoint.Parse("origin\n42\nAAAA\n"));
    }
}
