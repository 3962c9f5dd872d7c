using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.EntityFrameworkCore;

namespace Board.Tests;

/// <summary>A fresh PostgreSQL database for one test, and the settings that point a Board process at it.</summary>
public sealed class ScratchPostgres : IAsyncDisposable
{
    private ScratchPostgres(string name) => Name = name;

    public string Name { get; }
    public BoardDatabase Database => BoardDatabase.Of(DatabaseProvider.Postgres, TestPostgres.ConnectionString(Name), "");

    public Dictionary<string, string> Settings => new()
    {
        ["Database__Provider"] = "Postgres",
        ["ConnectionStrings__Board"] = Database.ConnectionString,
        ["Realtime__PollMilliseconds"] = "250",
    };

    public static async Task<ScratchPostgres> CreateAsync()
    {
        var scratch = new ScratchPostgres(TestPostgres.NewName());
        await TestPostgres.CreateDatabaseAsync(scratch.Name);
        return scratch;
    }

    public async Task<VerifyResult> VerifyAsync() => await TrailVerifier.VerifyAsync(Database, null, default);

    public async Task<List<AuditEntry>> EntriesAsync()
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(Database, default);
        var list = new List<AuditEntry>();
        await foreach (var e in TrailReader.ReadAsync(snapshot, TrailFilter.All, long.MaxValue, default)) list.Add(e);
        return list;
    }

    /// <summary>Posts <paramref name="count"/> proposals by <paramref name="authorEmail"/> through the domain, in one commit.</summary>
    public Task<Guid[]> PostProposalsAsync(Guid boardId, string authorEmail, int count) =>
        PostProposalsAsync(Database.ConnectionString, boardId, authorEmail, count);

    /// <summary>The same on any Board database on PostgreSQL.</summary>
    public static async Task<Guid[]> PostProposalsAsync(string connectionString, Guid boardId, string authorEmail, int count)
    {
        var options = new DbContextOptionsBuilder<PostgresBoardDb>().UseNpgsql(connectionString).Options;
        await using var db = PostgresBoardDb.Create(options);
        await db.BeginWriteAsync(default);
        var board = await db.Boards.SingleAsync(b => b.Id == boardId);
        var author = (await db.Users.SingleAsync(u => u.Email == authorEmail)).ToMember([Roles.Staff]);
        var now = DateTimeOffset.UtcNow;
        var proposals = Enumerable.Range(0, count)
            .Select(j => Proposal.Post(board, author, $"Proposal {j}", "Split across two instances.", null, now)).ToList();
        db.Proposals.AddRange(proposals);
        await db.CommitAsync(default);
        return [.. proposals.Select(p => p.Id)];
    }

    public async ValueTask DisposeAsync() => await TestPostgres.DropDatabaseAsync(Name);
}
