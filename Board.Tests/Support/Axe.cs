using System.Text.Json;
using Board.Tests.Proposals;

namespace Board.Tests;

/// <summary>axe-core (npm devDependency) run in the page: serious and critical violations fail the test.</summary>
public static class Axe
{
    private static readonly string ScriptPath = Path.Combine(RulesAgreementTests.RepositoryRoot(), "node_modules", "axe-core", "axe.min.js");
    private static readonly Lazy<string> Source = new(() => File.ReadAllText(ScriptPath));

    public static async Task AssertAccessibleAsync(this Screen screen, string where)
    {
        Assert.True(File.Exists(ScriptPath), $"{ScriptPath} is missing: run npm ci at the repository root.");
        // Evaluated through the DevTools protocol rather than added as a <script> tag (AddScriptTagAsync): the page's
        // CSP (script-src 'self') refuses inline scripts, and the test keeps that CSP on, so chart.js and every page
        // run under the same policy as in production.
        if (!await screen.Page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            await screen.Page.EvaluateAsync(Source.Value + "\n;true");
        var found = await screen.Page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ')}`)
            """);
        var violations = found.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.True(violations.Count == 0, $"axe on {where} ({screen.Name}):\n" + string.Join("\n", violations));
    }
}
