using System.ComponentModel.DataAnnotations;

namespace Board.Web.Proposals;

/// <summary>
/// A text shown as Markdown must be one the renderer can show: nesting beyond Markdig's depth limit (quotes, lists,
/// brackets inside one another) is refused at the edge with the other field errors, before anything is stored.
/// Texts longer than <paramref name="maxLength"/> are left to the length rule: rendering them would only cost time.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MarkdownAttribute(int maxLength) : ValidationAttribute
{
    public const string Message =
        "This text nests quotes, lists, links or brackets too deeply to be shown. Flatten the nesting and try again.";

    private static readonly Lazy<MarkdownRenderer> Fallback = new(() => new MarkdownRenderer());

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text || text.Length > maxLength) return ValidationResult.Success;
        var renderer = validationContext.GetService(typeof(MarkdownRenderer)) as MarkdownRenderer ?? Fallback.Value;
        return renderer.CanRender(text)
            ? ValidationResult.Success
            : new ValidationResult(FormatErrorMessage(validationContext.DisplayName), validationContext.MemberName is { } member ? [member] : null);
    }

    public override string FormatErrorMessage(string name) => Message;
}
