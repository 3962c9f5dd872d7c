using Ganss.Xss;
using Markdig;
using Microsoft.Extensions.Caching.Memory;

namespace Board.Web.Proposals;

/// <summary>
/// The one Markdown pipeline: raw HTML off in Markdig, and its output passed through an allow-list
/// sanitizer anyway, so a link can never carry script and a tag can never carry a handler.
/// </summary>
public sealed class MarkdownRenderer : IDisposable
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    /// <summary>
    /// Rendered bodies by their text, bounded by characters held: an approval renders the same body for its reply
    /// and for the broadcast, and every board list renders it again. Sanitizing is the costly half.
    /// </summary>
    private readonly MemoryCache _rendered = new(new MemoryCacheOptions { SizeLimit = CacheCharacters });

    public const long CacheCharacters = 16 * 1024 * 1024;

    /// <summary>Sanitized HTML for stored text (cached: the same text always renders the same).</summary>
    public string ToHtml(string markdown)
    {
        if (_rendered.TryGetValue(markdown, out string? html)) return html!;
        html = Render(markdown);
        _rendered.Set(markdown, html, new MemoryCacheEntryOptions { Size = markdown.Length + html.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        return html;
    }

    /// <summary>Sanitized HTML for text typed once, like a preview: not worth a cache entry.</summary>
    public string Render(string markdown) => _sanitizer.Sanitize(Markdown.ToHtml(markdown, _pipeline));

    public void Dispose() => _rendered.Dispose();

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
