using System.Diagnostics;
using System.Text.Json;

namespace Board.Tests.Domain;

/// <summary>
/// wwwroot stays small modules: no function over ~80 lines (parsed with acorn, an npm devDependency, by node),
/// and the rule's vocabulary is read from /api/meta, not copied into the page.
/// </summary>
public sealed class WwwrootStructureTests
{
    public const int MaxFunctionLines = 80;

    [Fact]
    public async Task NoFunctionInWwwroot_IsLongerThan80Lines()
    {
        var root = RulesAgreementTests.RepositoryRoot();
        var acorn = new Uri(Path.Combine(root, "node_modules", "acorn", "dist", "acorn.mjs")).AbsoluteUri;
        var script = $$"""
            import { readFileSync, readdirSync } from 'node:fs';
            import * as acorn from '{{acorn}}';
            const dir = process.argv[1];
            const long = [];
            for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
              const ast = acorn.parse(readFileSync(`${dir}/${file}`, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module', locations: true });
              (function walk(node, name) {
                if (!node || typeof node.type !== 'string') return;
                if (node.type.includes('Function')) {
                  const lines = node.loc.end.line - node.loc.start.line + 1;
                  if (lines > {{MaxFunctionLines}}) long.push(`${file}:${node.loc.start.line} ${node.id?.name ?? name ?? '(anonymous)'}: ${lines} lines`);
                }
                const next = node.type === 'VariableDeclarator' ? node.id?.name : node.type === 'MethodDefinition' || node.type === 'Property' ? node.key?.name : name;
                for (const value of Object.values(node)) {
                  if (Array.isArray(value)) value.forEach((child) => walk(child, next));
                  else if (value && typeof value === 'object') walk(value, next);
                }
              })(ast);
            }
            process.stdout.write(JSON.stringify(long));
            """;
        var start = new ProcessStartInfo("node", ["--input-type=module", "-e", script, Path.Combine(root, "wwwroot")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, error);
        var tooLong = JsonSerializer.Deserialize<string[]>(output)!;
        Assert.True(tooLong.Length == 0, "Functions over 80 lines in wwwroot:\n" + string.Join("\n", tooLong));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    public void Texts_HaveNoHandMadePlurals_AndEveryRefusalCodeIsSaid(string lang)
    {
        var path = Path.Combine(RulesAgreementTests.RepositoryRoot(), "wwwroot", "i18n", $"{lang}.json");
        var texts = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))!;
        Assert.DoesNotContain(texts, kv => kv.Value.Contains("(s)") || kv.Value.Contains("(ies)"));
        foreach (var code in Enum.GetValues<Board.Domain.RefusalCode>().Select(Board.Web.Problems.RefusalHandler.CodeOf)
            .Concat(["rate-limited", "busy", "too-large", "antiforgery", "invalid-credentials", "locked-out", "unauthenticated"]))
            Assert.True(texts.ContainsKey($"problem.{code}"), $"{lang} has no text for the refusal '{code}'");
    }

    [Theory]
    [InlineData("'proposal.posted'")]
    [InlineData("'approval.added', ")]
    [InlineData("['staff', 'operations'")]
    [InlineData("maxlength: '120'")]
    [InlineData("max: '25'")]
    public void ThePageKeepsNoCopyOfTheVocabulary(string copy)
    {
        var root = Path.Combine(RulesAgreementTests.RepositoryRoot(), "wwwroot");
        var found = Directory.GetFiles(root, "*.js").Where(f => File.ReadAllText(f).Contains(copy, StringComparison.Ordinal)).Select(Path.GetFileName).ToList();
        Assert.True(found.Count == 0, $"{copy} is copied in {string.Join(", ", found)}");
    }
}
