using Board.Web.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Board.Tests.Operations;

/// <summary>Kestrel takes no more connections than the process may open files, less a reserve for the rest.</summary>
[Trait("Kind", "Api")]
public sealed class OpenFilesTests(BoardApp app) : IClassFixture<BoardApp>
{
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            20000                20000                files
        Max locked memory         8388608              8388608              bytes
        """;

    [Fact]
    public void TheLimit_IsTheSoftOpenFilesLimit_LessTheReserve()
    {
        Assert.Equal(20000 - OpenFiles.Reserve, OpenFiles.ConnectionLimit(Limits));
        Assert.Null(OpenFiles.ConnectionLimit(Limits.Replace("20000                20000", "unlimited            unlimited")));
        Assert.Null(OpenFiles.ConnectionLimit("Max cpu time unlimited unlimited seconds"));
        Assert.Equal(1, OpenFiles.ConnectionLimit(Limits.Replace("20000                20000", "100                  100")));
        Assert.Equal((1948, 17540), OpenFiles.Split(20000 - OpenFiles.Reserve));
        Assert.Equal((1, 1), OpenFiles.Split(1));
    }

    [Fact]
    public async Task TheRunningApp_SplitsThisProcesssOpenFilesBetweenHttpAndWebSockets()
    {
        await app.FirstBoardAsync();
        var budget = OperatingSystem.IsLinux() ? OpenFiles.ConnectionLimit(await File.ReadAllTextAsync("/proc/self/limits")) : null;
        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.NotNull(budget);
        var (http, webSockets) = OpenFiles.Split(budget.Value);
        Assert.Equal(http, limits.MaxConcurrentConnections);
        Assert.Equal(webSockets, limits.MaxConcurrentUpgradedConnections);
        Assert.True(http + webSockets <= budget, "plain and upgraded connections together stay within the budget");
    }
}
