using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Board.Domain.Trail;
using Board.Web.Persistence;

namespace Board.Web.Trail;

/// <summary>
/// Writes the trail as CSV or JSON Lines, row by row, in batches of about 64 KiB: memory stays flat whatever
/// the number of rows. Both formats carry the same columns and end with the chain head of the snapshot read.
/// </summary>
public static class TrailExport
{
    public const string Csv = "csv";
    public const string Jsonl = "jsonl";
    public static readonly IReadOnlyList<string> Formats = [Csv, Jsonl];

    /// <summary>The stable column set, in order. Renaming or reordering one breaks every reader of old exports.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["seq", "at", "actorId", "actorName", "action", "boardId", "proposalId", "data", "prevHash", "hash"];

    private const int BatchBytes = 64 * 1024;
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ContentType(string format) => format == Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";

    /// <summary>Writes every entry matching <paramref name="filter"/> up to <paramref name="head"/>, then the head. Returns the rows written.</summary>
    public static async Task<long> WriteAsync(Stream output, string format, TrailSnapshot tx, TrailFilter filter, TrailHead head, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(BatchBytes * 2);
        using var json = new Utf8JsonWriter(buffer, JsonOptions);
        var csv = format == Csv;
        if (csv) WriteLine(buffer, string.Join(',', Columns));

        long rows = 0;
        await foreach (var entry in TrailReader.ReadAsync(tx, filter, head.Seq, ct))
        {
            if (csv) WriteCsv(buffer, entry);
            else WriteJson(json, buffer, entry);
            rows++;
            if (buffer.WrittenCount >= BatchBytes)
            {
                await output.WriteAsync(buffer.WrittenMemory, ct);
                await output.FlushAsync(ct);
                buffer.ResetWrittenCount();
            }
        }

        if (csv) WriteLine(buffer, $"# head seq={head.Seq} hash={head.Hash}");
        else
        {
            json.Reset(buffer);
            json.WriteStartObject();
            json.WriteStartObject("head");
            json.WriteNumber("seq", head.Seq);
            json.WriteString("hash", head.Hash);
            json.WriteEndObject();
            json.WriteEndObject();
            json.Flush();
            buffer.Write("\n"u8);
        }
        await output.WriteAsync(buffer.WrittenMemory, ct);
        await output.FlushAsync(ct);
        return rows;
    }

    private static void WriteJson(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, AuditEntry e)
    {
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteNumber("seq", e.Seq);
        json.WriteString("at", HashChain.FormatTime(e.At));
        WriteGuid(json, "actorId", e.ActorId);
        json.WriteString("actorName", e.ActorName);
        json.WriteString("action", e.Action);
        WriteGuid(json, "boardId", e.BoardId);
        WriteGuid(json, "proposalId", e.ProposalId);
        json.WritePropertyName("data");
        try
        {
            json.WriteRawValue(e.Data);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // Stored data that is not JSON (a tampered row) is still exported, as the text it is.
            json.WriteStringValue(e.Data);
        }
        json.WriteString("prevHash", e.PrevHash);
        json.WriteString("hash", e.Hash);
        json.WriteEndObject();
        json.Flush();
        buffer.Write("\n"u8);
    }

    private static void WriteGuid(Utf8JsonWriter json, string name, Guid? value)
    {
        if (value is { } id) json.WriteString(name, id);
        else json.WriteNull(name);
    }

    private static void WriteCsv(ArrayBufferWriter<byte> buffer, AuditEntry e)
    {
        var line = new StringBuilder(256)
            .Append(e.Seq).Append(',')
            .Append(HashChain.FormatTime(e.At)).Append(',')
            .Append(e.ActorId?.ToString()).Append(',');
        Field(line, e.ActorName).Append(',').Append(e.Action).Append(',')
            .Append(e.BoardId?.ToString()).Append(',')
            .Append(e.ProposalId?.ToString()).Append(',');
        Field(line, e.Data).Append(',').Append(e.PrevHash).Append(',').Append(e.Hash);
        WriteLine(buffer, line.ToString());
    }

    /// <summary>RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled. Values are never altered otherwise, so hashes can be recomputed from the export.</summary>
    private static StringBuilder Field(StringBuilder line, string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? line.Append(value) : line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');

    private static void WriteLine(ArrayBufferWriter<byte> buffer, string line)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 2);
        var written = Encoding.UTF8.GetBytes(line, span);
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        buffer.Advance(written);
    }
}
