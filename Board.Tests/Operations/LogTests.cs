using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Board.Tests.Operations;

public sealed class LoggedApp : BoardApp
{
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddLogging(l => l.AddProvider(Logs)));
    }
}

/// <summary>A problem's <c>traceId</c> finds the log lines of the request that got it.</summary>
[Trait("Kind", "Api")]
public sealed class LogTests(LoggedApp app) : IClassFixture<LoggedApp>
{
    [Fact]
    public async Task RefusedRequest_ProblemTraceId_IsOnItsLogLine()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("ops4");
        var proposal = await author.PostAsync(board.Id, "Own approval is refused", "The author cannot approve.");

        var problem = await (await author.ApproveAsync(proposal.Id)).IsProblemAsync(HttpStatusCode.Forbidden, "own-proposal");
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.Matches("^[0-9a-f]{32}$", traceId);

        var line = Assert.Single(app.Logs.Lines, l => l.Category.EndsWith("RefusalHandler") && Equals(l.Scope.GetValueOrDefault("TraceId")?.ToString(), traceId));
        Assert.Contains("own-proposal", line.Message);
        Assert.Contains($"/api/proposals/{proposal.Id}/approvals", line.Message);
        Assert.False(string.IsNullOrEmpty(line.Scope.GetValueOrDefault("RequestId")?.ToString()), "the line carries the request id");
    }
}
