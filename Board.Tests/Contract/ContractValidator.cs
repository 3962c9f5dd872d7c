using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Board.Tests.Contract;

/// <summary>
/// Checks requests and responses against the live OpenAPI document, as a validating proxy would: the status must be
/// documented for the operation, the content type too, the body must match its schema (JSON Schema 2020-12, with the
/// document's components as <c>$defs</c>), and the headers it promises (rate limits, Retry-After) must be there.
/// </summary>
public sealed class ContractValidator(JsonObject document)
{
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();
    private readonly JsonObject _defs = Rewrite(document["components"]!["schemas"]!.DeepClone())!.AsObject();

    public List<string> Violations { get; } = [];

    public JsonObject Operation(string method, string template) =>
        document["paths"]?[template]?[method.ToLowerInvariant()]?.AsObject()
        ?? throw new InvalidOperationException($"{method.ToUpperInvariant()} {template} is not in the document");

    public IEnumerable<(string Method, string Path)> Operations() =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (m.Key.ToUpperInvariant(), p.Key)));

    public void CheckRequest(string method, string template, JsonNode? body)
    {
        var operation = Operation(method, template);
        var where = $"{method.ToUpperInvariant()} {template} request";
        if (body is null) return;
        if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema)
        {
            Violations.Add($"{where}: sends a JSON body the document does not describe");
            return;
        }
        Validate(where, schema, body);
    }

    public async Task CheckResponseAsync(string method, string template, HttpResponseMessage response)
    {
        var operation = Operation(method, template);
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var where = $"{method.ToUpperInvariant()} {template} → {status}";
        if (operation["responses"]?[status] is not JsonObject documented)
        {
            Violations.Add($"{where}: status not documented");
            return;
        }
        foreach (var (name, _) in documented["headers"]?.AsObject() ?? [])
            if (!response.Headers.Contains(name) && !response.Content.Headers.Contains(name))
                Violations.Add($"{where}: header {name} documented but not sent");
        var text = await response.Content.ReadAsStringAsync();
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (documented["content"] is not JsonObject content || content.Count == 0)
        {
            if (text.Length > 0) Violations.Add($"{where}: a body ({contentType}) where the document has none");
            return;
        }
        if (contentType is null || content[contentType] is not JsonObject media)
        {
            Violations.Add($"{where}: content type {contentType ?? "(none)"} not documented ({string.Join(", ", content.Select(c => c.Key))})");
            return;
        }
        if (!IsJson(contentType) || media["schema"] is not { } schema) return;
        JsonNode? body;
        try { body = JsonNode.Parse(text); }
        catch (JsonException e) { Violations.Add($"{where}: not JSON: {e.Message}"); return; }
        Validate(where, schema, body);
    }

    public static bool IsJson(string? mediaType) =>
        mediaType is "application/json" || mediaType?.EndsWith("+json", StringComparison.Ordinal) == true;

    private void Validate(string where, JsonNode schema, JsonNode? instance)
    {
        var key = schema.ToJsonString();
        var compiled = _schemas.GetOrAdd(key, _ =>
        {
            var root = Rewrite(schema.DeepClone()) as JsonObject ?? new JsonObject();
            var wrapper = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = _defs.DeepClone(),
                ["allOf"] = new JsonArray(root),
            };
            return JsonSchema.FromText(wrapper.ToJsonString(), baseUri: new Uri($"https://board.test/contract/{Guid.NewGuid():N}"));
        });
        using var json = JsonDocument.Parse(instance?.ToJsonString() ?? "null");
        var result = compiled.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return;
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(5);
        Violations.Add($"{where}: {string.Join("; ", errors)}");
    }

    /// <summary><c>#/components/schemas/X</c> → <c>#/$defs/X</c>, so a schema and the components it names form one JSON Schema.</summary>
    private static JsonNode? Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"] is JsonValue r && r.GetValue<string>() is var target && target.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    o["$ref"] = "#/$defs/" + target["#/components/schemas/".Length..];
                foreach (var (_, child) in o.ToList()) Rewrite(child);
                return o;
            case JsonArray a:
                foreach (var child in a) Rewrite(child);
                return a;
            default:
                return node;
        }
    }
}
