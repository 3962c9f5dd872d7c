using System.ComponentModel.DataAnnotations;
using Board.Domain.Text;

namespace Board.Web.Security;

/// <summary>
/// The domain's plain-text rule (<see cref="PlainText"/>) checked at the edge, so a name or a title with a control
/// or bidi formatting character is refused with the other field errors, before anything is loaded.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PlainTextAttribute(bool multiline = false) : ValidationAttribute
{
    public override bool IsValid(object? value) =>
        value is not string text || (multiline ? PlainText.IsCleanBody(text) : PlainText.IsCleanLine(text));

    public override string FormatErrorMessage(string name) => multiline ? PlainText.BodyMessage : PlainText.LineMessage;
}
