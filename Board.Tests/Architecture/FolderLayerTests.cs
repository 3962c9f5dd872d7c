using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Board.Tests.Architecture;

/// <summary>
/// The folders of Board.Web point one way. This table is the whole architecture, top to bottom: a folder may use its
/// own layer's folders (without a cycle) and every layer below, never one above. A folder the table does not name is a
/// feature (the top layer), so a new feature needs no entry here; Program.cs, the composition root, stands above all.
/// Board.Domain, below everything, uses nothing of ASP.NET Core or EF Core.
/// </summary>
[Trait("Kind", "Architecture")]
public sealed class FolderLayerTests
{
    private static readonly string[][] LayersBelowFeatures =
    [
        ["Auth"],        // who is calling: the signed-in member, sessions, roles
        ["Security"],    // limits, headers, the browser request guard
        ["Problems"],    // refusals and faults → problem details
        ["Telemetry"],   // Board's meter; reacts to commits like any feature
        ["Keys"],        // keys that live outside the database: the certificate over the sign-in key ring
        ["Persistence"], // BoardDb, the commit and its observers, the sign-in account row, migrations
        ["Hosting"],     // settings checks, the process's own limits, the one Redis connection
    ];

    private static readonly System.Reflection.Assembly Web = typeof(Program).Assembly;
    private static readonly System.Reflection.Assembly Domain = typeof(Board.Domain.Refusal).Assembly;
    private static readonly ArchUnitNET.Domain.Architecture Architecture = new ArchLoader().LoadAssemblies(Web, Domain).Build();

    public static TheoryData<string> Layers => [.. LayersBelowFeatures.Select(l => string.Join(",", l))];

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_layer_uses_no_folder_above_it(string layer)
    {
        var index = Array.FindIndex(LayersBelowFeatures, l => string.Join(",", l) == layer);
        var sameOrBelow = LayersBelowFeatures[index..].SelectMany(l => l);
        Types().That().ResideInNamespaceMatching(Folders(LayersBelowFeatures[index]))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(FoldersOtherThan(sameOrBelow)))
            .Because($"{layer} sits below {string.Join(", ", LayersBelowFeatures[..index].SelectMany(l => l).Append("every feature"))}")
            .Check(Architecture);
    }

    [Fact]
    public void No_cycle_between_folders() =>
        SliceRuleDefinition.Slices().Matching("Board.Web.(*)").Should().BeFreeOfCycles().Check(Architecture);

    [Fact]
    public void The_domain_uses_nothing_of_AspNetCore_or_EfCore()
    {
        const string Framework = @"^Microsoft\.(AspNetCore|EntityFrameworkCore)(\.|$)";
        // The same rule over Persistence, which does use EF Core, fails: the rule below is one that can.
        Assert.False(Types().That().ResideInNamespaceMatching(Folders(["Persistence"]))
            .Should().NotDependOnAnyTypesThat().ResideInNamespaceMatching(Framework).HasNoViolations(Architecture));
        Types().That().ResideInAssembly(Domain).Should().NotDependOnAnyTypesThat().ResideInNamespaceMatching(Framework).Check(Architecture);
    }

    private static string Folders(IEnumerable<string> folders) => $@"^Board\.Web\.({string.Join("|", folders)})(\.|$)";

    private static string FoldersOtherThan(IEnumerable<string> folders) => $@"^Board\.Web\.(?!({string.Join("|", folders)})(\.|$))";
}
