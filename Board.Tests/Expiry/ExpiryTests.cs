using System.Net;
using System.Net.Http.Json;
using Board.Web.Trail;
using Microsoft.Extensions.Time.Testing;

namespace Board.Tests.Expiry;

public interface IExpiringApp
{
    FakeTimeProvider FakeClock { get; }
}

public sealed class ExpiringBoardApp : BoardApp, IExpiringApp
{
    public FakeTimeProvider FakeClock { get; } = new(DateTimeOffset.UtcNow);
    protected override FakeTimeProvider Clock => FakeClock;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Expiry:IntervalSeconds"] = "60" };
}

public sealed class ExpiringPostgresBoardApp : PostgresBoardApp, IExpiringApp
{
    public FakeTimeProvider FakeClock { get; } = new(DateTimeOffset.UtcNow);
    protected override FakeTimeProvider Clock => FakeClock;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Expiry:IntervalSeconds"] = "60" };
}

/// <summary>The hosted sweeper expires open proposals once the (fake) clock passes their deadline.</summary>
[Trait("Kind", "Api")]
public abstract class ExpiryTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : BoardApp, IExpiringApp
{
    [Fact]
    public async Task OpenProposal_PastItsDeadline_IsExpiredBySweeper_AndCanNoLongerBeApproved()
    {
        var board = await app.FirstBoardAsync();
        Guid posted;
        using (var staff = await app.SignInAsync("staff1"))
        {
            var proposal = await staff.PostAsync(board.Id, "Will expire");
            posted = proposal.Id;
            using var ops = await app.SignInAsync("ops1");
            (await ops.ApproveAsync(proposal.Id)).EnsureSuccessStatusCode();
        }

        app.FakeClock.Advance(TimeSpan.FromDays(13));
        using (var staff = await app.SignInAsync("staff1"))
        {
            await Task.Delay(300);
            Assert.Equal("open", (await staff.GetAsync(posted)).Status);
        }

        app.FakeClock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        using var later = await app.SignInAsync("staff1");
        var status = "";
        for (var i = 0; i < 50 && status != "expired"; i++)
        {
            await Task.Delay(100);
            status = (await later.GetAsync(posted)).Status;
        }
        Assert.Equal("expired", status);

        var trail = (await later.Client.GetFromJsonAsync<TrailPage>($"/api/audit?proposalId={posted}&action=proposal.expired", BoardApp.Json))!;
        var expired = Assert.Single(trail.Items);
        Assert.Null(expired.Actor.Id);
        Assert.Equal("system", expired.Actor.Name);

        using var ops2 = await app.SignInAsync("ops2");
        await (await ops2.ApproveAsync(posted)).IsProblemAsync(HttpStatusCode.Conflict, "not-open");
        Assert.True((await later.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!.Valid);
    }
}

public sealed class ExpiryTestsSqlite(ExpiringBoardApp app) : ExpiryTests<ExpiringBoardApp>(app);

public sealed class ExpiryTestsPostgres(ExpiringPostgresBoardApp app) : ExpiryTests<ExpiringPostgresBoardApp>(app);
