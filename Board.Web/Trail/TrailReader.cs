using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Board.Domain;
using Board.Domain.Trail;
using Board.Web.Persistence;

namespace Board.Web.Trail;

/// <summary>Which entries a listing or an export covers. <c>From</c> is inclusive, <c>To</c> exclusive, <c>After</c> a seq.</summary>
public sealed record TrailFilter(
    Guid? BoardId = null, Guid? ProposalId = null, Guid? ActorId = null, string? Action = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? After = null)
{
    public static readonly TrailFilter All = new();

    /// <summary>Refuses an unknown action or an empty time window, with 400 <c>validation</c>.</summary>
    public TrailFilter Validated()
    {
        if (Action is not null && !TrailActions.All.Contains(Action))
            throw Refusal.Invalid("action", $"Unknown action '{Action}'. Actions are: {string.Join(", ", TrailActions.All)}.");
        if (From is { } f && To is { } t && t <= f)
            throw Refusal.Invalid("to", "The end of the time window must come after its start.");
        return this;
    }
}

/// <summary>The chain head: the last entry's seq, hash and time (seq 0 and the genesis hash for an empty trail).</summary>
public sealed record TrailHead(long Seq, string Hash, string? At)
{
    public static readonly TrailHead Empty = new(0, HashChain.Genesis, null);
}

/// <summary>An entry that cannot even be read back (a column of the wrong type or shape).</summary>
public sealed class CorruptEntryException(long seq, string message, Exception inner) : Exception(message, inner)
{
    public long Seq { get; } = seq;
}

/// <summary>
/// Reads the trail off a <see cref="TrailSnapshot"/> with a forward-only data reader: no change tracking, no
/// buffering, so the API, the offline command and the benchmark stream a million entries in constant memory, on
/// either provider. Callers open the snapshot first so that the head and the rows come from one snapshot.
/// </summary>
public static class TrailReader
{
    private const string Columns = "\"Seq\", \"At\", \"ActorId\", \"ActorName\", \"Action\", \"BoardId\", \"ProposalId\", \"Data\", \"PrevHash\", \"Hash\"";

    public static async Task<TrailHead> HeadAsync(TrailSnapshot snapshot, CancellationToken ct)
    {
        await using var command = snapshot.Command("SELECT \"Seq\", \"Hash\", \"At\" FROM audit_entries ORDER BY \"Seq\" DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return TrailHead.Empty;
        return new TrailHead(reader.GetInt64(0), reader.GetString(1),
            HashChain.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
    }

    /// <summary>The entries matching <paramref name="filter"/> up to <paramref name="maxSeq"/>, oldest first.</summary>
    public static async IAsyncEnumerable<AuditEntry> ReadAsync(
        TrailSnapshot snapshot, TrailFilter filter, long maxSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = snapshot.Command("");
        var where = new StringBuilder("\"Seq\" <= @max");
        snapshot.Add(command, "max", maxSeq);
        void Add(string condition, string name, object value)
        {
            where.Append(" AND ").Append(condition);
            snapshot.Add(command, name, value);
        }
        // Compared in the stored form (the snapshot converts Guids) so that the (X, Seq) indexes are used.
        if (filter.BoardId is { } board) Add("\"BoardId\" = @board", "board", board);
        if (filter.ProposalId is { } proposal) Add("\"ProposalId\" = @proposal", "proposal", proposal);
        if (filter.ActorId is { } actor) Add("\"ActorId\" = @actor", "actor", actor);
        if (filter.Action is { } action) Add("\"Action\" = @action", "action", action);
        if (filter.From is { } from) Add("\"At\" >= @from", "from", from.ToUnixTimeMilliseconds());
        if (filter.To is { } to) Add("\"At\" < @to", "to", to.ToUnixTimeMilliseconds());
        if (filter.After is { } after) Add("\"Seq\" > @after", "after", after);
        command.CommandText = $"SELECT {Columns} FROM audit_entries WHERE {where} ORDER BY \"Seq\"";

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return Map(reader);
    }

    /// <summary>
    /// An entry exactly as stored, or <see cref="CorruptEntryException"/>: each column must hold the storage type and
    /// the form the app writes (an id as upper-case text on SQLite, a uuid on PostgreSQL…), so a value that still reads
    /// back the same after its bytes or its type were changed is named as tampered too.
    /// </summary>
    private static AuditEntry Map(DbDataReader r)
    {
        var seq = r.GetInt64(0);
        try
        {
            return AuditEntry.Restore(Integer(r, 0), DateTimeOffset.FromUnixTimeMilliseconds(Integer(r, 1)),
                Id(r, 2), Text(r, 3), Text(r, 4), Id(r, 5), Id(r, 6), Text(r, 7), Text(r, 8), Text(r, 9));
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or InvalidOperationException or ArgumentException or OverflowException)
        {
            throw new CorruptEntryException(seq, $"entry {seq} cannot be read: {e.Message}", e);
        }
    }

    private static long Integer(DbDataReader r, int i) =>
        r.GetValue(i) is long value ? value : throw new InvalidCastException($"{r.GetName(i)} is not an integer");

    private static string Text(DbDataReader r, int i) =>
        r.GetValue(i) is string value ? value : throw new InvalidCastException($"{r.GetName(i)} is not text");

    private static Guid? Id(DbDataReader r, int i) => r.GetValue(i) switch
    {
        DBNull => null,
        Guid id => id,
        string text when Guid.TryParseExact(text, "D", out var id) && text == id.ToString().ToUpperInvariant() => id,
        _ => throw new FormatException($"{r.GetName(i)} is not an id as the app stores one"),
    };
}
