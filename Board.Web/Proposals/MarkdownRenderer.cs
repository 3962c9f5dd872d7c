using System.Collections.Concurrent;
using System.Net;
using Ganss.Xss;
using Markdig;

namespace Board.Web.Proposals;

/// <summary>
/// The one Markdown pipeline: raw HTML off in Markdig, and its output passed through an allow-list
/// sanitizer anyway, so a link can never carry script and a tag can never carry a handler.
/// Stored texts (proposal bodies, comments) are rendered once and remembered by their text, within a bounded size:
/// every reply and every broadcast of a proposal shows the same body, which only an edit changes.
/// Rendering never throws: Markdig refuses input nested beyond its depth limit (quotes, lists, brackets inside one
/// another) with an exception, so writes refuse such a text (<see cref="CanRender"/>, through
/// <see cref="MarkdownAttribute"/>) and a stored one that still fails — an older row, a future renderer — is
/// shown as escaped plain text instead of failing every read of its proposal.
/// </summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    /// <summary>At most this many characters (texts and their HTML together) are remembered; then it starts afresh.</summary>
    public const long MaxRememberedChars = 4_000_000;

    private readonly ConcurrentDictionary<string, string> _rendered = new(StringComparer.Ordinal);
    private long _rememberedChars;

    /// <summary>The safe HTML of a stored text, rendered once per distinct text.</summary>
    public string ToHtml(string markdown)
    {
        if (_rendered.TryGetValue(markdown, out var known)) return known;
        var html = Render(markdown);
        Remember(markdown, html);
        return html;
    }

    private void Remember(string markdown, string html)
    {
        var size = markdown.Length + html.Length;
        if (Interlocked.Add(ref _rememberedChars, size) > MaxRememberedChars)
        {
            _rendered.Clear();
            Interlocked.Exchange(ref _rememberedChars, size);
        }
        _rendered.TryAdd(markdown, html);
    }

    /// <summary>The safe HTML of a draft (the live preview), not remembered: each keystroke is a text of its own.</summary>
    public string Render(string markdown) => TryRender(markdown) ?? AsPlainText(markdown);

    /// <summary>Whether Markdown renders this text; what a write checks before storing it.</summary>
    public bool CanRender(string markdown)
    {
        if (_rendered.ContainsKey(markdown)) return true;
        if (TryRender(markdown) is not { } html) return false;
        // Remembered, so the reply to the write that stores it does not render it a second time.
        Remember(markdown, html);
        return true;
    }

    /// <summary>The safe HTML of a text, or null when Markdown cannot render it.</summary>
    public string? TryRender(string markdown)
    {
        try
        {
            return _sanitizer.Sanitize(Markdown.ToHtml(markdown, _pipeline));
        }
        // Markdig says "too deeply nested" with an ArgumentException; whatever else a renderer throws on one text is,
        // the same way, a text it cannot show, never a reason for its proposal to be unreadable.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>The text itself, every character escaped: what a text Markdown cannot render shows.</summary>
    public static string AsPlainText(string text) =>
        "<p>" + WebUtility.HtmlEncode(text).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "<br>\n", StringComparison.Ordinal) + "</p>";

    private static HtmlSanitizer CreateSanitizer()
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
                "h1", "h2", "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "title", "start" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        };
        var sanitizer = new HtmlSanitizer(options);
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link)
            {
                link.SetAttribute("rel", "noopener noreferrer nofollow");
                link.SetAttribute("target", "_blank");
            }
        };
        return sanitizer;
    }
}
