using Board.Tests.Operations;

namespace Board.Tests.Push;

/// <summary>Outside Development the VAPID key file is required: without it Board does not start, and says which setting in one line.</summary>
[Trait("Kind", "RealProcess")]
public sealed class VapidKeyStartTests
{
    [Theory]
    [InlineData(null, "Board cannot start: Keys:VapidKey is not set")]
    [InlineData("no-such-key.pem", "Board cannot start: Keys:VapidKey = 'no-such-key.pem': no such file")]
    [InlineData("not-a-key.pem", "Board cannot start: Keys:VapidKey = ")]
    public async Task Production_WithoutAUsableVapidKey_RefusesToStart_NamingTheSetting(string? file, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("board-vapid-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "not-a-key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
            // The key-ring certificate and the trail key are given, so that the VAPID key is the one setting missing.
            var certificate = Path.Combine(folder, "dataprotection.pfx");
            Board.Web.Keys.DataProtectionCertificate.CreateFile(certificate);
            var trailKey = Path.Combine(folder, "trail-signing.key");
            File.WriteAllText(trailKey, Board.Web.Trail.TrailKey.Generate("board.test/trail"));
            var environment = new Dictionary<string, string> { ["Keys__DataProtectionCertificate"] = certificate, ["Keys__TrailSigningKey"] = trailKey };
            if (file is not null) environment["Keys__VapidKey"] = file;

            var (exitCode, output) = await ConfigurationTests.RunBoardAsync(folder, environment);

            Assert.Equal(3, exitCode);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Board cannot start:", StringComparison.Ordinal));
            Assert.StartsWith(expected, line);
            Assert.DoesNotContain("   at ", output);
            Assert.False(File.Exists(Path.Combine(folder, "board.db")), "nothing was done before the check");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
