using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Board.Domain;
using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Problems;
using static Board.Tests.Given;

namespace Board.Tests.Proposals;

/// <summary>
/// One case table (RuleCases.json) asked of the domain and of the page's rules module (wwwroot/rules.js, run
/// by node): the page offers exactly what the rule allows, and names the same reason when it does not.
/// </summary>
[Trait("Kind", "Domain")]
public sealed class RulesAgreementTests
{
    private static readonly string CasesPath = Path.Combine(AppContext.BaseDirectory, "Proposals", "RuleCases.json");

    public sealed record RuleCase(string Name, string Op, string[] Roles, bool? Active, bool? Author, bool? Approved,
        string? ApproverRole, string? Status, bool? PastDeadline, string? Expect)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<RuleCase> Cases()
    {
        var data = new TheoryData<RuleCase>();
        foreach (var c in JsonSerializer.Deserialize<RuleCase[]>(File.ReadAllText(CasesPath), BoardApp.Json)!) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheDomain_AnswersEachCase(RuleCase c)
    {
        var (proposal, member, at) = Build(c);
        Assert.Equal(c.Expect, AskDomain(c.Op, proposal, member, at));
        if (c.Op == "approve") Assert.Equal(c.Expect is null, proposal.MayApprove(member, at));
    }

    [Fact]
    public async Task ThePagesRulesModule_AnswersEveryCaseAsTheDomainDoes()
    {
        var cases = JsonSerializer.Deserialize<RuleCase[]>(File.ReadAllText(CasesPath), BoardApp.Json)!;
        var inputs = new JsonArray([.. cases.Select(c =>
        {
            var (proposal, member, at) = Build(c);
            return (JsonNode)new JsonObject
            {
                ["op"] = c.Op,
                ["now"] = HashChain.FormatTime(at),
                ["proposal"] = AsPageSees(proposal),
                ["member"] = new JsonObject { ["id"] = member.Id.ToString(), ["roles"] = new JsonArray([.. member.Roles.Select(r => (JsonNode)r)]), ["isActive"] = member.IsActive },
            };
        })]);
        var answers = await RunNodeAsync(inputs.ToJsonString());
        for (var i = 0; i < cases.Length; i++)
        {
            var (proposal, member, at) = Build(cases[i]);
            Assert.True(AskDomain(cases[i].Op, proposal, member, at) == answers[i], $"{cases[i].Name}: domain says {AskDomain(cases[i].Op, proposal, member, at) ?? "yes"}, rules.js says {answers[i] ?? "yes"}");
            Assert.Equal(cases[i].Expect, answers[i]);
        }
    }

    private static string? AskDomain(string op, Proposal p, Member member, DateTimeOffset at)
    {
        if (op == "approve") return p.WhyNotApprove(member, at) is { } code ? RefusalHandler.CodeOf(code) : null;
        try
        {
            switch (op)
            {
                case "takeBack": p.TakeBackApproval(member, at); break;
                case "change": p.Withdraw(member, at); break;
                case "complete": p.Complete(member, "Done as proposed.", at); break;
                default: throw new ArgumentException($"Unknown op {op}");
            }
            return null;
        }
        catch (Refusal r)
        {
            return RefusalHandler.CodeOf(r.Code);
        }
    }

    private static (Proposal, Member, DateTimeOffset) Build(RuleCase c)
    {
        var approverRole = c.ApproverRole ?? Roles.Operations;
        var board = ABoard(new BoardPolicy(3, approverRole, 14));
        var member = new Member(Guid.CreateVersion7(), "Member", c.Roles.ToHashSet(), c.Active ?? true);
        var author = c.Author == true ? member : Staff;
        var p = Proposal.Post(board, author, "Basket return by till 1", "Weekend queues are blocked.", null, Now);
        if (c.Approved == true) p.Approve(member with { Roles = new HashSet<string> { approverRole }, IsActive = true }, Now, Everyone);
        switch (c.Status ?? "open")
        {
            case "open": break;
            case "executed" or "done":
                while (p.Status == ProposalStatus.Open) p.Approve(Person("Helper", approverRole), Now, Everyone);
                if (c.Status == "done") p.Complete(Ops4, "Done.", Now);
                break;
            case "withdrawn": p.Withdraw(author, Now); break;
            case "expired": p.Expire(Now.AddDays(15)); break;
            default: throw new ArgumentException($"Unknown status {c.Status}");
        }
        p.ClearPendingTrail();
        return (p, member, c.PastDeadline == true ? Now.AddDays(15) : Now.AddHours(1));
    }

    /// <summary>The fields of the proposal JSON (ProposalDto) the rules module reads.</summary>
    private static JsonObject AsPageSees(Proposal p) => new()
    {
        ["status"] = p.Status.ToString().ToLowerInvariant(),
        ["author"] = new JsonObject { ["id"] = p.AuthorId.ToString() },
        ["approverRole"] = p.ApproverRole,
        ["expiresAt"] = p.ExpiresAt is { } e ? HashChain.FormatTime(e) : null,
        ["approvals"] = new JsonArray([.. p.Approvals.Select(a => (JsonNode)new JsonObject { ["memberId"] = a.MemberId.ToString() })]),
    };

    private static async Task<string?[]> RunNodeAsync(string input)
    {
        var rules = new Uri(Path.Combine(RepositoryRoot(), "wwwroot", "rules.js")).AbsoluteUri;
        var meta = new Uri(Path.Combine(RepositoryRoot(), "wwwroot", "meta.js")).AbsoluteUri;
        // The page's rules run with the vocabulary the server serves, as in the browser.
        var script = $$"""
            import * as rules from '{{rules}}';
            import { useMeta } from '{{meta}}';
            useMeta({{JsonSerializer.Serialize(Board.Web.Meta.MetaEndpoints.Document, BoardApp.Json)}});
            let text = '';
            for await (const chunk of process.stdin) text += chunk;
            const ask = { approve: rules.whyNotApprove, takeBack: rules.whyNotTakeBack, change: rules.whyNotChange, complete: rules.whyNotComplete };
            const answers = JSON.parse(text).map((c) => ask[c.op](c.proposal, c.member, new Date(c.now)));
            process.stdout.write(JSON.stringify(answers));
            """;
        var start = new ProcessStartInfo("node", ["--input-type=module", "-e", script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start (Node.js is required for the build too).");
        await node.StandardInput.WriteAsync(input);
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, error);
        return JsonSerializer.Deserialize<string?[]>(output)!;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Board.sln"))) return dir.FullName;
        throw new InvalidOperationException("Board.sln not found above the test folder.");
    }
}
