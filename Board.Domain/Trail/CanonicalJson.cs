using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Board.Domain.Trail;

/// <summary>
/// The one way an entry is turned into bytes for hashing: object keys sorted ordinally, no white space,
/// strings escaped only where JSON requires it. Two writers that follow this agree byte for byte.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Writes <paramref name="node"/> canonically.</summary>
    public static string Write(JsonNode? node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options)) WriteNode(writer, node);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Re-writes a JSON text canonically.</summary>
    public static string Normalize(string json) => Write(JsonNode.Parse(json));

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteNode(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array) WriteNode(writer, item);
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
