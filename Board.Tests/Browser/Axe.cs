using System.Text.Json;
using Board.Tests.Domain;

namespace Board.Tests.Browser;

/// <summary>axe-core (npm devDependency) run in the page: serious and critical violations fail the test.</summary>
public static class Axe
{
    private static readonly string ScriptPath = Path.Combine(RulesAgreementTests.RepositoryRoot(), "node_modules", "axe-core", "axe.min.js");

    public static async Task AssertAccessibleAsync(this Screen screen, string where)
    {
        Assert.True(File.Exists(ScriptPath), $"{ScriptPath} is missing: run npm ci at the repository root.");
        if (!await screen.Page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            await screen.Page.AddScriptTagAsync(new() { Path = ScriptPath });
        var found = await screen.Page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ')}`)
            """);
        var violations = found.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.True(violations.Count == 0, $"axe on {where} ({screen.Name}):\n" + string.Join("\n", violations));
    }
}
