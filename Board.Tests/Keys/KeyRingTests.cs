using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Board.Web.Demo;
using Board.Web.Keys;
using Board.Web.Persistence;
using Board.Web.Trail;
using Board.Web.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Board.Tests.Keys;

/// <summary>
/// The sign-in key ring is in the database, encrypted with a certificate that is not (Keys:DataProtectionCertificate):
/// a copy of the database started without that file opens no earlier session and reads no webhook secret, and says
/// why in one line; keys an earlier version stored unencrypted are replaced at start; a certificate can be rotated.
/// </summary>
[Trait("Kind", "RealProcess")]
public sealed class KeyRingTests
{
    private const string Secret = "a-webhook-secret-of-32-characters!";
    private const string SecretPurpose = "Board.Webhooks.Secret.v1";

    [Fact]
    public async Task CopyOfTheDatabase_StartedWithoutItsKeyFile_AcceptsNoEarlierTokenOrCookie_ReadsNoSecret_AndSaysWhyInOneLine()
    {
        using var folders = new Folders();
        var originalLogs = new CapturedLogs();
        await using var original = new KeyApp(folders.New(), originalLogs);
        await original.InitializeAsync();
        using var staff = await original.SignInAsync("staff1");
        var cookie = await CookieFromAsync(original);
        var (hookId, stored, boardId) = await AddWebhookAsync(original);

        // A copy of the database alone, as a backup, a replica or a support dump carries it: not the key file.
        var copyFolder = folders.New();
        await SqliteBackup.CopyAsync(original.Database, Path.Combine(copyFolder, "board.db"), CancellationToken.None);
        var copyLogs = new CapturedLogs();
        await using var copy = new KeyApp(copyFolder, copyLogs);
        await copy.InitializeAsync();
        Assert.NotEqual(Thumbprint(original.KeyFile), Thumbprint(copy.KeyFile));

        // Nor can the copy sign as this Board: the trail key is a file beside the original, not a row, so whatever the
        // copy signs verifies under another key, and the original's checkpoints do not verify under the copy's.
        using (var originalAnonymous = original.Anonymous())
        using (var copyAnonymous = copy.Anonymous())
        {
            var originalKey = SignedNote.ParseVerifierKey(await originalAnonymous.GetStringAsync("/api/audit/key"))!;
            var copyKey = SignedNote.ParseVerifierKey(await copyAnonymous.GetStringAsync("/api/audit/key"))!;
            Assert.NotEqual(originalKey.ToString(), copyKey.ToString());
            // The first checkpoint is made as the instance starts, in the background: give it a moment.
            HttpResponseMessage latest;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((latest = await originalAnonymous.GetAsync("/api/audit/checkpoint")).StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            var originalCheckpoint = await latest.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            Assert.NotNull(SignedNote.Open(originalCheckpoint, originalKey));
            Assert.Null(SignedNote.Open(originalCheckpoint, copyKey));
        }

        // The original still honours both: the refusals below are the copy's, not a broken token.
        Assert.Equal(HttpStatusCode.OK, (await staff.Client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetMeWithCookieAsync(original, cookie)).StatusCode);
        using (var bearer = copy.Anonymous())
        {
            bearer.DefaultRequestHeaders.Authorization = new("Bearer", staff.Token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/me")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeWithCookieAsync(copy, cookie)).StatusCode);

        // No secret is readable: not by the copy, not by a program holding the copy's key XML.
        Assert.Equal(stored, await StoredSecretAsync(copy, hookId));
        Assert.Equal(Secret, original.Services.GetRequiredService<WebhookSecrets>().TryReveal(stored));
        Assert.Null(copy.Services.GetRequiredService<WebhookSecrets>().TryReveal(stored));
        var keyXml = await KeyXmlAsync(copy);
        Assert.NotEmpty(keyXml);
        Assert.All(keyXml, key => Assert.NotNull(KeyRingMigration.EncryptedWith(key)));
        Assert.DoesNotContain(keyXml, key => key.ToString().Contains("unencrypted form", StringComparison.Ordinal));
        Assert.Throws<CryptographicException>(() => Attacker(keyXml, folders.New()).CreateProtector(SecretPurpose).Unprotect(stored[4..]));
        // The control: the same program with the certificate reads it, so the refusal above is the missing key.
        Assert.Equal(Secret, Attacker(keyXml, folders.New(), original.KeyFile).CreateProtector(SecretPurpose).Unprotect(stored[4..]));

        // The copy says why, in one line, and carries on: new sign-ins work.
        var why = Assert.Single(copyLogs.Lines, l => l.Level == LogLevel.Error && l.Category == typeof(KeyRingMigration).FullName);
        Assert.Contains(DataProtectionCertificate.Setting, why.Message);
        Assert.DoesNotContain('\n', why.Message);
        Assert.DoesNotContain(originalLogs.Lines, l => l.Category == typeof(KeyRingMigration).FullName && l.Level >= LogLevel.Warning);
        using var again = await copy.SignInAsync("staff1");
        Assert.Equal(HttpStatusCode.OK, (await again.Client.GetAsync("/api/me")).StatusCode);

        // A delivery whose secret cannot be read is a failed attempt that says so, never a request sent unsigned.
        await again.PostAsync(boardId, "After the copy");
        using var admin = await copy.SignInAsync("admin");
        var log = await admin.WaitForDeliveriesAsync(hookId, l => l.Any(d => d.Attempts >= 1), TimeSpan.FromSeconds(20));
        var attempt = Assert.Single(log, d => d.Attempts >= 1).AttemptLog[0];
        Assert.Null(attempt.StatusCode);
        Assert.Contains("secret cannot be read", attempt.Error);
    }

    [Fact]
    public async Task Production_WithoutTheKeySetting_RefusesToStart_InOneLineNamingIt()
    {
        using var folders = new Folders();
        await using var process = await BoardProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Board"] = $"Data Source={Path.Combine(folders.New(), "board.db")}",
        }, waitUntilHealthy: false);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, exit);
        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines, l => l.StartsWith("Board cannot start:", StringComparison.Ordinal));
        Assert.StartsWith($"Board cannot start: {DataProtectionCertificate.Setting} is required", line);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeysStoredUnencrypted_AreReplacedAtStart_SecretsReprotected_AndTheOldKeyXmlOpensNothing()
    {
        using var folders = new Folders();
        var folder = folders.New();
        string token, stored;
        Guid hookId;
        List<XElement> plainKeys;
        // An installation from before: the same key ring, written without an encryptor.
        await using (var before = new KeyApp(folder, new CapturedLogs(), unencrypted: true))
        {
            await before.InitializeAsync();
            using var staff = await before.SignInAsync("staff1");
            token = staff.Token;
            (hookId, stored, _) = await AddWebhookAsync(before);
            plainKeys = await KeyXmlAsync(before);
            Assert.NotEmpty(plainKeys);
            Assert.All(plainKeys, key => Assert.Null(KeyRingMigration.EncryptedWith(key)));
            Assert.Equal(Secret, Attacker(plainKeys, folders.New()).CreateProtector(SecretPurpose).Unprotect(stored[4..]));
        }

        var logs = new CapturedLogs();
        await using var after = new KeyApp(folder, logs);
        await after.InitializeAsync();

        var keys = await KeyXmlAsync(after);
        var certificate = Thumbprint(after.KeyFile);
        Assert.All(keys, key => Assert.Equal(certificate, KeyRingMigration.EncryptedWith(key)));
        Assert.DoesNotContain(keys, key => plainKeys.Any(p => (string?)p.Attribute("id") == (string?)key.Attribute("id")));
        var reprotected = await StoredSecretAsync(after, hookId);
        Assert.NotEqual(stored, reprotected);
        Assert.Equal(Secret, after.Services.GetRequiredService<WebhookSecrets>().TryReveal(reprotected));
        // The old key XML, kept by whoever copied it before, opens neither the secret as stored now nor a session.
        Assert.Throws<CryptographicException>(() => Attacker(plainKeys, folders.New()).CreateProtector(SecretPurpose).Unprotect(reprotected[4..]));
        using (var bearer = after.Anonymous())
        {
            bearer.DefaultRequestHeaders.Authorization = new("Bearer", token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/me")).StatusCode);
        }
        Assert.Contains(logs.Lines, l => l.Category == typeof(KeyRingMigration).FullName && l.Message.StartsWith("Replaced 1 sign-in keys", StringComparison.Ordinal));
        using var again = await after.SignInAsync("staff1");
        Assert.Equal(HttpStatusCode.OK, (await again.Client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Rotation_ANewCertificateWithThePreviousOne_ReplacesTheKeys_ThenThePreviousOneIsNoLongerNeeded()
    {
        using var folders = new Folders();
        var folder = folders.New();
        Guid hookId;
        await using (var first = new KeyApp(folder, new CapturedLogs()))
        {
            await first.InitializeAsync();
            (hookId, _, _) = await AddWebhookAsync(first);
        }
        var oldFile = Path.Combine(folder, "keys", "dataprotection.pfx");
        var newFile = Path.Combine(folder, "keys", "dataprotection-2.pfx");
        Assert.True(DataProtectionCertificate.CreateFile(newFile, "rotation-password"));

        var rotating = new Dictionary<string, string?>
        {
            [DataProtectionCertificate.Setting] = newFile,
            [DataProtectionCertificate.PasswordSetting] = "rotation-password",
            [$"{DataProtectionCertificate.PreviousSetting}:0:Path"] = oldFile,
        };
        var logs = new CapturedLogs();
        await using (var second = new KeyApp(folder, logs, settings: rotating))
        {
            await second.InitializeAsync();
            var newThumbprint = X509CertificateLoader.LoadPkcs12FromFile(newFile, "rotation-password").Thumbprint;
            Assert.All(await KeyXmlAsync(second), key => Assert.Equal(newThumbprint, KeyRingMigration.EncryptedWith(key)));
            Assert.Equal(Secret, second.Services.GetRequiredService<WebhookSecrets>().TryReveal(await StoredSecretAsync(second, hookId)));
            Assert.Contains(logs.Lines, l => l.Category == typeof(KeyRingMigration).FullName && l.Message.StartsWith("Replaced ", StringComparison.Ordinal));
        }

        // The old certificate can go: the next start needs only the new one, and nothing is unreadable.
        File.Delete(oldFile);
        var quiet = new CapturedLogs();
        await using var third = new KeyApp(folder, quiet, settings: new Dictionary<string, string?>
        {
            [DataProtectionCertificate.Setting] = newFile,
            [DataProtectionCertificate.PasswordSetting] = "rotation-password",
        });
        await third.InitializeAsync();
        Assert.Equal(Secret, third.Services.GetRequiredService<WebhookSecrets>().TryReveal(await StoredSecretAsync(third, hookId)));
        Assert.DoesNotContain(quiet.Lines, l => l.Category == typeof(KeyRingMigration).FullName && l.Level >= LogLevel.Warning);
        using var staff = await third.SignInAsync("staff1");
        Assert.Equal(HttpStatusCode.OK, (await staff.Client.GetAsync("/api/me")).StatusCode);
    }

    /// <summary>What a program holding the key XML (and, for the control, the certificate file) can do with it.</summary>
    private static IDataProtectionProvider Attacker(IEnumerable<XElement> keys, string folder, string? certificateFile = null)
    {
        foreach (var key in keys) key.Save(Path.Combine(folder, $"key-{(string?)key.Attribute("id")}.xml"));
        return DataProtectionProvider.Create(new DirectoryInfo(folder), builder =>
        {
            builder.SetApplicationName(Board.Web.Auth.AuthSetup.ApplicationName);
            if (certificateFile is not null) builder.UnprotectKeysWithAnyCertificate(X509CertificateLoader.LoadPkcs12FromFile(certificateFile, null));
        });
    }

    private static string Thumbprint(string file) => X509CertificateLoader.LoadPkcs12FromFile(file, null).Thumbprint;

    private static async Task<(Guid Id, string Stored, Guid BoardId)> AddWebhookAsync(BoardApp app)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync();
        var hook = await admin.AddWebhookAsync(board.Id, new Uri("https://hooks.example.org/in"), Secret, "proposal.posted");
        return (hook.Id, await StoredSecretAsync(app, hook.Id), board.Id);
    }

    private static async Task<string> StoredSecretAsync(BoardApp app, Guid hookId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<BoardDb>().Webhooks.AsNoTracking().Where(w => w.Id == hookId).Select(w => w.Secret).SingleAsync();
    }

    private static async Task<List<XElement>> KeyXmlAsync(BoardApp app)
    {
        using var scope = app.Services.CreateScope();
        var rows = await scope.ServiceProvider.GetRequiredService<BoardDb>().DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync();
        return [.. rows.Select(x => XElement.Parse(x!)).Where(e => e.Name.LocalName == "key")];
    }

    private static async Task<string> CookieFromAsync(BoardApp app)
    {
        using var client = app.Anonymous();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email = "staff1@demo.board", password = DemoSeeder.Password });
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("board.auth=", StringComparison.Ordinal)).Split(';')[0];
    }

    private static async Task<HttpResponseMessage> GetMeWithCookieAsync(BoardApp app, string cookie)
    {
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    /// <summary>Temp folders, removed at the end.</summary>
    private sealed class Folders : IDisposable
    {
        private readonly List<string> _made = [];

        public string New()
        {
            var folder = Directory.CreateTempSubdirectory("board-keys-").FullName;
            _made.Add(folder);
            return folder;
        }

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var folder in _made)
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>The app over a folder's database, its logs captured; <c>unencrypted</c> writes keys as versions before this did.</summary>
    private sealed class KeyApp(string folder, CapturedLogs logs, bool unencrypted = false, IDictionary<string, string?>? settings = null) : BoardApp(folder)
    {
        protected override IDictionary<string, string?> Settings => settings ?? new Dictionary<string, string?>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.AddLogging(l => l.AddProvider(logs));
                if (unencrypted) services.PostConfigure<KeyManagementOptions>(o => o.XmlEncryptor = null);
            });
        }
    }
}
