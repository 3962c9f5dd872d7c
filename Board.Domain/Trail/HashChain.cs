using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Board.Domain.Trail;

/// <summary>How entries are linked: <c>hash = SHA-256(prevHash ‖ canonical JSON of the entry without hash)</c>, lowercase hex.</summary>
public static class HashChain
{
    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>Entries keep time to the millisecond so that storage round-trips keep the hash.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    /// <summary>The timestamp as it is hashed and shown: ISO 8601, UTC, milliseconds.</summary>
    public static string FormatTime(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The canonical JSON of <paramref name="entry"/> without its hash.</summary>
    public static string CanonicalBody(AuditEntry entry) => CanonicalJson.Write(new JsonObject
    {
        ["seq"] = entry.Seq,
        ["at"] = FormatTime(entry.At),
        ["actor"] = new JsonObject { ["id"] = entry.ActorId?.ToString(), ["name"] = entry.ActorName },
        ["action"] = entry.Action,
        ["boardId"] = entry.BoardId?.ToString(),
        ["proposalId"] = entry.ProposalId?.ToString(),
        ["data"] = JsonNode.Parse(entry.Data),
        ["prevHash"] = entry.PrevHash,
    });

    /// <summary>The hash <paramref name="entry"/> should carry.</summary>
    public static string Compute(AuditEntry entry)
    {
        var bytes = Encoding.UTF8.GetBytes(entry.PrevHash + CanonicalBody(entry));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Checks entries in order; names the first that breaks the chain.</summary>
    public sealed class Verifier
    {
        private string _expectedPrev = Genesis;
        private long _expectedSeq = 1;

        /// <summary>From the start of the trail.</summary>
        public Verifier() { }

        /// <summary>From the entry after (<paramref name="seq"/>, <paramref name="hash"/>), taken as verified already.</summary>
        public Verifier(long seq, string hash)
        {
            (_expectedSeq, _expectedPrev) = (seq + 1, hash);
            (HeadSeq, HeadHash) = (seq, hash);
        }

        /// <summary>Entries checked so far.</summary>
        public long Count { get; private set; }
        /// <summary>The last entry's seq and hash.</summary>
        public long HeadSeq { get; private set; }
        /// <inheritdoc cref="HeadSeq"/>
        public string HeadHash { get; private set; } = Genesis;
        /// <summary>The first entry that does not match, or null while all match.</summary>
        public long? FirstInvalidSeq { get; private set; }
        /// <summary>What was wrong with it.</summary>
        public string? Problem { get; private set; }

        /// <summary>Checks the next entry; returns false once the chain is broken.</summary>
        public bool Add(AuditEntry entry)
        {
            if (FirstInvalidSeq is not null) return false;
            Count++;
            string? problem =
                entry.Seq != _expectedSeq ? $"expected seq {_expectedSeq}, found {entry.Seq}" :
                entry.PrevHash != _expectedPrev ? "prevHash does not match the previous entry" :
                Compute(entry) != entry.Hash ? "hash does not match the entry's content" : null;
            if (problem is not null)
            {
                // A missing entry is reported at the seq where it was expected.
                FirstInvalidSeq = Math.Min(entry.Seq, _expectedSeq);
                Problem = problem;
                return false;
            }
            _expectedSeq = entry.Seq + 1;
            _expectedPrev = entry.Hash;
            HeadSeq = entry.Seq;
            HeadHash = entry.Hash;
            return true;
        }
    }
}
