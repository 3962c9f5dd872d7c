using System.Diagnostics;
using System.Net;

namespace Board.Tests.Operations;

/// <summary>A wrong setting stops the real process at once, with one line naming the key and no stack trace.</summary>
[Trait("Kind", "RealProcess")]
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Expiry__IntervalSeconds", "0", "Expiry:IntervalSeconds = '0': must be between 1 and 86400 seconds")]
    [InlineData("Metrics__Port", "70000", "Metrics:Port = '70000'")]
    [InlineData("Webhooks__TimeoutSeconds", "soon", "'soon' at 'Webhooks:TimeoutSeconds'")]
    [InlineData("Push__Subject", "operations", "Push:Subject = 'operations': must start with mailto: or https://")]
    public async Task WrongSetting_StopsTheStart_NamingTheKey(string variable, string value, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("board-config-").FullName;
        try
        {
            var (exitCode, output) = await RunBoardAsync(folder, new() { [variable] = value });

            Assert.Equal(1, exitCode);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Board cannot start:", StringComparison.Ordinal));
            Assert.Contains(expected, line);
            Assert.DoesNotContain("   at ", output);
            Assert.False(File.Exists(Path.Combine(folder, "board.db")), "nothing was done before the check");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Board.Web as its own process (built next to the tests), its database in <paramref name="folder"/>.</summary>
    internal static async Task<(int ExitCode, string Output)> RunBoardAsync(string folder, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Board.Web.dll") },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["ConnectionStrings__Board"] = $"Data Source={Path.Combine(folder, "board.db")}";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("Board.Web kept running with a wrong setting");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>The API reference is a Development page, under a policy of its own; Production has no such route.</summary>
[Trait("Kind", "Api")]
public sealed class ApiReferenceTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task Development_ServesTheApiReference_UnderItsOwnPolicy()
    {
        using var client = app.Anonymous();
        var page = await client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync());
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("connect-src 'self';", policy);
        Assert.DoesNotContain("http", policy);

        var home = await client.GetAsync("/");
        Assert.DoesNotContain("unsafe-inline", string.Join(";", home.Headers.GetValues("Content-Security-Policy")));
    }
}

[Trait("Kind", "RealProcess")]
public sealed class ApiReferenceProductionTests(ProductionApp app) : IClassFixture<ProductionApp>
{
    [Fact]
    public async Task Production_HasNoApiReference()
    {
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/scalar/v1")).StatusCode);
    }
}
