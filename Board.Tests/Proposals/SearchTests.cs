using System.Net.Http.Json;
using Board.Web.Proposals;

namespace Board.Tests.Proposals;

/// <summary>The board's search finds a proposal whatever the case of the words, on either database.</summary>
[Trait("Kind", "Api")]
public abstract class SearchTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : BoardApp
{
    [Fact]
    public async Task Search_IgnoresCase_InTitleAndBody_AndTakesWildcardsLiterally()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff2");
        var marker = $"Zq{Guid.NewGuid():N}"[..12];
        var proposal = await author.PostAsync(board.Id, $"Move the {marker} Shelf", "Customers ask for the Gluten-free aisle.");

        foreach (var q in new[] { marker.ToLowerInvariant(), marker.ToUpperInvariant(), $"{marker} shelf" })
        {
            var page = await author.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{board.Id}/proposals?q={Uri.EscapeDataString(q)}", BoardApp.Json);
            Assert.Contains(page!.Items, p => p.Id == proposal.Id);
        }
        var byBody = await author.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{board.Id}/proposals?q=GLUTEN-FREE%20AISLE", BoardApp.Json);
        Assert.Contains(byBody!.Items, p => p.Id == proposal.Id);
        var wildcard = await author.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{board.Id}/proposals?q={marker}%25shelf", BoardApp.Json);
        Assert.DoesNotContain(wildcard!.Items, p => p.Id == proposal.Id);
    }
}

public sealed class SearchTestsSqlite(BoardApp app) : SearchTests<BoardApp>(app);

public sealed class SearchTestsPostgres(PostgresBoardApp app) : SearchTests<PostgresBoardApp>(app);
