using Board.Domain.Trail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Trail;

/// <summary>
/// One perfect subtree of the trail's Merkle tree (<see cref="MerkleTree.NodeId"/>, packed in <see cref="Id"/>): a
/// leaf per entry and every interior node an entry completes, added in the transaction that adds the entry.
/// </summary>
public sealed class TrailNode
{
    private TrailNode() { }

    public long Id { get; private set; }
    public byte[] Hash { get; private set; } = [];

    public static TrailNode Of(MerkleTree.NodeId id, byte[] hash) => new() { Id = id.Key, Hash = hash };
}

public sealed class TrailNodeConfiguration : IEntityTypeConfiguration<TrailNode>
{
    public void Configure(EntityTypeBuilder<TrailNode> b)
    {
        b.ToTable("trail_nodes");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Hash).HasMaxLength(MerkleTree.HashSize).IsRequired();
    }
}

/// <summary>A signed checkpoint as it was sent out: the C2SP signed note, nothing else (the key is never here).</summary>
public sealed class TrailCheckpoint
{
    public const int TextMax = 4096;

    private TrailCheckpoint() { }

    /// <summary>The tree size it commits to: unique, so two instances never both make the same one.</summary>
    public long Size { get; private set; }
    public string Text { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>When a verification last found the trail up to <see cref="Size"/> whole: where the next one may start.</summary>
    public DateTimeOffset? VerifiedAt { get; private set; }

    public static TrailCheckpoint Of(long size, string text, DateTimeOffset now) => new() { Size = size, Text = text, CreatedAt = now };

    public void MarkVerified(DateTimeOffset now) => VerifiedAt = now;
}

public sealed class TrailCheckpointConfiguration : IEntityTypeConfiguration<TrailCheckpoint>
{
    public void Configure(EntityTypeBuilder<TrailCheckpoint> b)
    {
        b.ToTable("trail_checkpoints");
        b.HasKey(x => x.Size);
        b.Property(x => x.Size).ValueGeneratedNever();
        b.Property(x => x.Text).HasMaxLength(TrailCheckpoint.TextMax).IsRequired();
        b.HasIndex(x => x.CreatedAt);
    }
}
