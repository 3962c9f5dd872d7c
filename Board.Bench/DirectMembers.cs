using Board.Web.Auth;
using Board.Web.Members;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Board.Bench;

/// <summary>
/// Many members made cheaply, for (6): through Board.Web's own code, in the bench's process, on the database of the
/// Board.Web the bench started. Each member is created by <see cref="MemberAccounts.CreateAsync"/> (account, role and
/// its <c>member.created</c> entry in the trail, committed by <see cref="BoardDb.CommitAsync"/>), and gets a bearer
/// token issued exactly as <c>POST /api/auth/login</c> issues it (Identity's claims, the security stamp, the shared
/// Data Protection key ring in the database), so the server honours it as its own.
/// What is left out is the two PBKDF2 hashes per member (about 60 ms of a core each here, 10 minutes of both cores for
/// 5,000 members): all bench members share one password, hashed once at full strength by Identity's own hasher, and
/// the token is issued without checking that password again. Board.Web is unchanged; nothing is weakened in it.
/// </summary>
public sealed class DirectMembers : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private DirectMembers(ServiceProvider services) => _services = services;

    public static DirectMembers Open(string provider, string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddBoardDbContext(BoardDatabase.Of(provider == "postgres" ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite,
            connectionString, Path.GetTempPath()));
        var keys = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection([new(Board.Web.Keys.DataProtectionCertificate.Setting, Runner.KeyRingCertificate)]).Build();
        services.AddBoardAuth(Board.Web.Keys.DataProtectionCertificate.Load(keys, new BenchEnvironment()));
        services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<MemberAccount>, OncePerPassword>());
        return new DirectMembers(services.BuildServiceProvider());
    }

    /// <summary>Creates the members in transactions of <paramref name="batch"/>, as the admin; returns each one's bearer token.</summary>
    public async Task<List<string>> CreateAsync(string adminEmail, IReadOnlyList<(string Email, string Name)> members, string password,
        int batch, Action<int> progress, CancellationToken ct)
    {
        var clock = TimeProvider.System;
        var bearer = _services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
        var tokens = new List<string>(members.Count);
        Board.Domain.Members.Actor admin;
        await using (var scope = _services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<MemberAccount>>();
            var account = await users.FindByEmailAsync(adminEmail) ?? throw new InvalidOperationException($"No admin {adminEmail}");
            admin = (await CurrentMember.LoadAsync(scope.ServiceProvider.GetRequiredService<BoardDb>(), account.Id, ct))!.AsActor();
        }
        foreach (var chunk in members.Chunk(batch))
        {
            await using var scope = _services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<MemberAccount>>();
            var claims = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<MemberAccount>>();
            var accounts = new List<MemberAccount>(chunk.Length);
            foreach (var (email, name) in chunk)
                accounts.Add(await MemberAccounts.CreateAsync(db, users, email, name, password, ["staff"], admin, clock.GetUtcNow()));
            await db.CommitAsync(ct);
            foreach (var account in accounts)
            {
                var principal = await claims.CreateAsync(account);
                var ticket = new AuthenticationTicket(principal,
                    new AuthenticationProperties { ExpiresUtc = clock.GetUtcNow() + bearer.BearerTokenExpiration }, IdentityConstants.BearerScheme);
                tokens.Add(bearer.BearerTokenProtector.Protect(ticket));
            }
            progress(tokens.Count);
        }
        return tokens;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>Identity's own hasher at its own strength, run once per distinct password: every bench member shares one.</summary>
    private sealed class OncePerPassword : IPasswordHasher<MemberAccount>
    {
        private readonly PasswordHasher<MemberAccount> _real = new();
        private readonly Dictionary<string, string> _hashes = [];

        public string HashPassword(MemberAccount user, string password)
        {
            lock (_hashes)
            {
                if (!_hashes.TryGetValue(password, out var hash)) _hashes[password] = hash = _real.HashPassword(user, password);
                return hash;
            }
        }

        public PasswordVerificationResult VerifyHashedPassword(MemberAccount user, string hashedPassword, string providedPassword) =>
            _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

/// <summary>The host environment <see cref="DirectMembers"/> loads the servers' key-ring certificate as: Production, like the servers.</summary>
file sealed class BenchEnvironment : IHostEnvironment
{
    public string EnvironmentName { get; set; } = Environments.Production;
    public string ApplicationName { get; set; } = "Board.Bench";
    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
}
