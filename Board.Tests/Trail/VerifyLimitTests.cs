extern alias bench;
using System.Net;
using System.Net.Http.Json;
using bench::Board.Bench;
using Board.Web.Trail;

namespace Board.Tests.Trail;

/// <summary>The app over a trail long enough that one verify takes a noticeable moment, with no waiting line.</summary>
public sealed class LongTrailApp : BoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Trail:VerifyQueue"] = "0" };

    public override async ValueTask InitializeAsync()
    {
        await TrailGenerator.FillAsync(DatabasePath, 60_000);
        await base.InitializeAsync();
    }
}

[Trait("Kind", "Api")]
public sealed class VerifyLimitTests(LongTrailApp app) : IClassFixture<LongTrailApp>
{
    [Fact]
    public async Task VerifiesRunOneAtATime_TheRestAreToldBusy_AndTheNextOneIsValid()
    {
        using var staff = await app.SignInAsync("staff1");
        // Four at once, as a burst: on a loaded machine the first verify may be over before the others arrive, so a
        // few bursts are allowed to show one refusal; a limit that never refuses fails them all.
        var busySeen = false;
        for (var burst = 0; burst < 5 && !busySeen; burst++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => staff.Client.GetAsync("/api/audit/verify?full=true")));
            try
            {
                Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
                Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
                foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests))
                {
                    await response.IsProblemAsync(HttpStatusCode.TooManyRequests, "busy");
                    Assert.Equal("5", response.Headers.RetryAfter?.ToString());
                    busySeen = true;
                }
            }
            finally
            {
                foreach (var response in responses) response.Dispose();
            }
        }
        Assert.True(busySeen, "five bursts of four verifies at once, and none was told busy");

        var result = (await staff.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify?full=true", BoardApp.Json))!;
        Assert.True(result.Valid);
        Assert.True(result.Count > 60_000);
    }
}

/// <summary>The long trail with a line of four.</summary>
public sealed class FairVerifyApp : BoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Trail:VerifyQueue"] = "4" };

    public override async ValueTask InitializeAsync()
    {
        await TrailGenerator.FillAsync(DatabasePath, 60_000);
        await base.InitializeAsync();
    }
}

public sealed class FairVerifyTests(FairVerifyApp app) : IClassFixture<FairVerifyApp>
{
    [Fact]
    public async Task OneMemberPressingVerifyAgainAndAgain_HoldsOnePlace_AndAnotherMemberStillGetsATurn()
    {
        using var presser = await app.SignInAsync("staff1");
        using var other = await app.SignInAsync("staff2");
        var pressed = Enumerable.Range(0, 6).Select(_ => presser.Client.GetAsync("/api/audit/verify")).ToList();
        await Task.Delay(200);
        using var theirs = await other.Client.GetAsync("/api/audit/verify");
        var mine = await Task.WhenAll(pressed);
        try
        {
            // Unfair, the presser's six would fill the running place and the line of four, and the other member would be told busy.
            Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
            Assert.Single(mine, r => r.StatusCode == HttpStatusCode.OK);
            foreach (var busy in mine.Where(r => r.StatusCode != HttpStatusCode.OK)) await busy.IsProblemAsync(HttpStatusCode.TooManyRequests, "busy");
        }
        finally
        {
            foreach (var response in mine) response.Dispose();
        }
    }
}
