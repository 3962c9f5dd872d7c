using System.Diagnostics;
using System.Text.Json;
using Board.Tests.Proposals;

namespace Board.Tests.Architecture;

/// <summary>
/// wwwroot stays small modules: no function over ~80 lines (parsed with acorn, an npm devDependency, by node),
/// the rule's vocabulary is read from /api/meta, not copied into the page, and there is one form kit.
/// </summary>
[Trait("Kind", "Architecture")]
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
        var output = await RunNodeAsync(script, Path.Combine(root, "wwwroot"));
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
    [InlineData("maxlength: '120'")]
    [InlineData("max: '25'")]
    [InlineData("max: '3650'")]
    [InlineData("minlength: '16'")]
    public void ThePageKeepsNoCopyOfALimit(string copy)
    {
        var root = Path.Combine(RulesAgreementTests.RepositoryRoot(), "wwwroot");
        var found = Directory.GetFiles(root, "*.js").Where(f => File.ReadAllText(f).Contains(copy, StringComparison.Ordinal)).Select(Path.GetFileName).ToList();
        Assert.True(found.Count == 0, $"{copy} is copied in {string.Join(", ", found)}");
    }

    /// <summary>
    /// No status, role or trail action of the domain's vocabulary (as /api/meta serves it) stands as a string literal
    /// in the page's code: it names them by key (Status.executed, Action.proposalExecuted, may(me, 'review')) and
    /// builds text keys from the values (t(`status.${s}`)). The texts (wwwroot/i18n/*.json) are not code.
    /// </summary>
    [Fact]
    public async Task ThePageCopiesNoWordOfTheVocabulary()
    {
        var meta = Board.Web.Meta.MetaEndpoints.Document;
        var words = meta.Statuses.Concat(meta.Roles).Concat(meta.Actions).ToHashSet(StringComparer.Ordinal);
        var copies = (await ScanAsync()).SelectMany(f => f.Strings.Where(s => words.Contains(s.Value)).Select(s => $"{f.File}:{s.Line} '{s.Value}'")).ToList();
        Assert.True(copies.Count == 0,
            "The domain's vocabulary is copied into wwwroot (read it from meta.js: Status, Action, Role, may()):\n" + string.Join("\n", copies));
    }

    /// <summary>
    /// One form kit: field error lines are made only by forms.js, and only it (and problems.js, where it lives) uses the
    /// form-error helper; a second kit would have to do one or the other.
    /// </summary>
    [Fact]
    public async Task ThereIsOneFormKit()
    {
        var files = await ScanAsync();
        var kits = files.Where(f => f.File != "forms.js" && f.Strings.Any(s => s.Value.Split(' ').Contains("field-error"))).Select(f => $"{f.File} makes field error lines")
            .Concat(files.Where(f => f.File is not ("forms.js" or "problems.js") && f.Names.Overlaps(["showFormError", "markField"])).Select(f => $"{f.File} uses the form-error helper itself"))
            .ToList();
        Assert.True(kits.Count == 0, "A second form kit in wwwroot (build forms with forms.js's formKit/kitForm):\n" + string.Join("\n", kits));
    }

    private sealed record StringAt(int Line, string Value);

    private sealed record ScannedFile(string File, StringAt[] Strings, HashSet<string> Names);

    /// <summary>Each wwwroot/*.js with its string literals (and template literals without placeholders) and the names it uses.</summary>
    private static async Task<ScannedFile[]> ScanAsync()
    {
        var root = RulesAgreementTests.RepositoryRoot();
        var acorn = new Uri(Path.Combine(root, "node_modules", "acorn", "dist", "acorn.mjs")).AbsoluteUri;
        var script = $$"""
            import { readFileSync, readdirSync } from 'node:fs';
            import * as acorn from '{{acorn}}';
            const dir = process.argv[1];
            const files = readdirSync(dir).filter((f) => f.endsWith('.js')).map((file) => {
              const ast = acorn.parse(readFileSync(`${dir}/${file}`, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module', locations: true });
              const strings = [];
              const names = new Set();
              (function walk(node) {
                if (!node || typeof node.type !== 'string') return;
                if (node.type === 'Literal' && typeof node.value === 'string') strings.push({ line: node.loc.start.line, value: node.value });
                if (node.type === 'TemplateLiteral' && node.expressions.length === 0) strings.push({ line: node.loc.start.line, value: node.quasis[0].value.cooked });
                if (node.type === 'Identifier') names.add(node.name);
                for (const value of Object.values(node)) {
                  if (Array.isArray(value)) value.forEach(walk);
                  else if (value && typeof value === 'object') walk(value);
                }
              })(ast);
              return { file, strings, names: [...names] };
            });
            process.stdout.write(JSON.stringify(files));
            """;
        var output = await RunNodeAsync(script, Path.Combine(root, "wwwroot"));
        return [.. JsonSerializer.Deserialize<JsonElement[]>(output)!.Select(f => new ScannedFile(
            f.GetProperty("file").GetString()!,
            [.. f.GetProperty("strings").EnumerateArray().Select(s => new StringAt(s.GetProperty("line").GetInt32(), s.GetProperty("value").GetString()!))],
            [.. f.GetProperty("names").EnumerateArray().Select(n => n.GetString()!)]))];
    }

    private static async Task<string> RunNodeAsync(string script, string argument)
    {
        var start = new ProcessStartInfo("node", ["--input-type=module", "-e", script, argument])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, error);
        return await output;
    }
}
