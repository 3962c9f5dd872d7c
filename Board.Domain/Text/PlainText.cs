namespace Board.Domain.Text;

/// <summary>
/// Characters that may not appear in what members read as plain text: control characters, and the bidirectional
/// formatting characters that make a name or a title display as something other than what it is (U+202E turns
/// "gpj.exe" around). Names and titles take none of them; bodies keep line breaks and tabs.
/// </summary>
public static class PlainText
{
    /// <summary>Explicit embeddings, overrides and isolates, the marks LRM, RLM and ALM.</summary>
    public static bool IsBidiControl(char c) =>
        c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';

    /// <summary>Whether <paramref name="text"/> may be a name, a title, a URL: no control and no bidi formatting character.</summary>
    public static bool IsCleanLine(string text) => !text.Any(c => char.IsControl(c) || IsBidiControl(c));

    /// <summary>Whether <paramref name="text"/> may be a body or a note: as a line, but line breaks and tabs are fine.</summary>
    public static bool IsCleanBody(string text) =>
        !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t') || IsBidiControl(c));

    /// <summary>Refuses <paramref name="text"/> as <paramref name="field"/> unless <see cref="IsCleanLine"/>.</summary>
    public static string RequireCleanLine(string field, string text) =>
        IsCleanLine(text) ? text : throw Refusal.Invalid(field, LineMessage);

    /// <summary>Refuses <paramref name="text"/> as <paramref name="field"/> unless <see cref="IsCleanBody"/>.</summary>
    public static string RequireCleanBody(string field, string text) =>
        IsCleanBody(text) ? text : throw Refusal.Invalid(field, BodyMessage);

    /// <summary>Why a line was refused.</summary>
    public const string LineMessage = "This cannot contain control characters or bidirectional formatting characters.";

    /// <summary>Why a body was refused.</summary>
    public const string BodyMessage = "This cannot contain control characters (other than line breaks and tabs) or bidirectional formatting characters.";
}
