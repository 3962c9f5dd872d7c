using System.Text.Json;
using System.Text.RegularExpressions;

namespace Board.Web.Problems;

/// <summary>
/// A request the framework could not bind (malformed JSON, a wrong type, a missing value) described like every
/// other validation problem: a field name and our own words, never the framework's message with its C# types.
/// </summary>
public static partial class BindingFailure
{
    public const string Detail = "The request is not valid.";

    public static (string Detail, IReadOnlyDictionary<string, string[]>? Errors) Describe(BadHttpRequestException b)
    {
        if (b.StatusCode == StatusCodes.Status413PayloadTooLarge) return ("The request body is too large.", null);
        if (b.StatusCode == StatusCodes.Status415UnsupportedMediaType) return ("Send the body as application/json.", null);
        if (b.InnerException is JsonException json)
            return (Detail, Field(FieldOfPath(json.Path), json.Path is null or "$" ? "The body is not valid JSON for this request." : "This value has the wrong type or form."));
        if (Parameter().Match(b.Message) is { Success: true } m)
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(m.Groups["name"].Value);
            return b.Message.StartsWith("Required", StringComparison.Ordinal) || b.Message.StartsWith("Implicit body", StringComparison.Ordinal)
                ? (Detail, Field(b.Message.Contains("body", StringComparison.OrdinalIgnoreCase) ? "body" : name, "This is required."))
                : (Detail, Field(name, "This value has the wrong type or form."));
        }
        return (Detail, null);
    }

    private static Dictionary<string, string[]> Field(string name, string message) => new() { [name] = [message] };

    /// <summary><c>$.policy.approvalsRequired</c> → <c>policy.approvalsRequired</c>; <c>$</c> → <c>body</c>.</summary>
    private static string FieldOfPath(string? path)
    {
        var trimmed = (path ?? "$").TrimStart('$').TrimStart('.');
        return trimmed.Length == 0 ? "body" : trimmed;
    }

    [GeneratedRegex("""parameter "(?:[^"]*\s)?(?<name>\w+)"(?: from|\s|$| was| but)""")]
    private static partial Regex Parameter();
}
