using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Web.Auth;
using Board.Web.Members;
using Board.Web.Persistence;
using Bogus;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using DomainBoard = Board.Domain.Boards.Board;

namespace Board.Web.Demo;

/// <summary>
/// Demo data for an empty database in Development, made through the domain so the trail is valid from
/// its first entry. A fixed seed: two runs show the same board.
/// </summary>
public sealed class DemoSeeder(BoardDb db, UserManager<MemberAccount> users, TimeProvider clock, ILogger<DemoSeeder> log)
{
    public const string Password = "Board!demo1";
    private const int Seed = 20261123;

    /// <summary>The sign-ins the demo data is meant to be tried with, as the sign-in page lists them.</summary>
    public static readonly IReadOnlyList<DemoSignInDto> SignIns =
    [
        new("staff1@demo.board", [Roles.Staff]), new("staff2@demo.board", [Roles.Staff]), new("staff3@demo.board", [Roles.Staff]),
        new("ops1@demo.board", [Roles.Operations]), new("ops2@demo.board", [Roles.Operations]),
        new("ops3@demo.board", [Roles.Operations]), new("ops4@demo.board", [Roles.Operations]),
        new("manager@demo.board", [Roles.Manager]), new("admin@demo.board", [Roles.Admin, Roles.Manager]),
    ];

    private readonly List<Member> _staff = [];
    private readonly List<Member> _operations = [];

    public async Task SeedDemoAsync(CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct)) return;
        var now = clock.GetUtcNow();
        var start = now.AddDays(-30);
        var ko = new Faker("ko") { Random = new Randomizer(Seed) };
        var en = new Faker("en") { Random = new Randomizer(Seed + 1) };

        var admin = await AddAsync("admin@demo.board", "관리자 Admin", [Roles.Admin, Roles.Manager], Actor.System, start);
        await AddAsync("manager@demo.board", KoreanName(ko) + " (manager)", [Roles.Manager], admin.AsActor(), start);
        for (var i = 1; i <= 3; i++) await AddAsync($"staff{i}@demo.board", KoreanName(ko), [Roles.Staff], admin.AsActor(), start);
        for (var i = 1; i <= 4; i++) await AddAsync($"ops{i}@demo.board", i % 2 == 0 ? en.Name.FullName() : KoreanName(ko), [Roles.Operations], admin.AsActor(), start);
        for (var i = 1; i <= 15; i++)
        {
            var faker = i % 3 == 0 ? en : ko;
            string[] roles = i % 5 == 0 ? [Roles.Operations] : [Roles.Staff];
            await AddAsync(faker.Internet.Email(faker.Name.FirstName(), faker.Name.LastName(), "staff.demo.board").ToLowerInvariant() switch
            {
                var email => $"{i:00}.{email}",
            }, faker == ko ? KoreanName(ko) : en.Name.FullName(), roles, admin.AsActor(), start);
        }
        await db.CommitAsync(ct);

        var boards = new[]
        {
            DomainBoard.Create("강남점 Gangnam store", BoardPolicy.Default, admin, start.AddMinutes(5)),
            DomainBoard.Create("Busan Seomyeon store", BoardPolicy.Default, admin, start.AddMinutes(6)),
            DomainBoard.Create("Online shop 온라인몰", BoardPolicy.Default with { ApprovalsRequired = 2 }, admin, start.AddMinutes(7)),
        };
        db.Boards.AddRange(boards);
        await db.CommitAsync(ct);

        await PlayProposalsAsync(boards, start.AddHours(1), now, new Randomizer(Seed + 2), ct);
        log.LogInformation("Seeded demo data: {Members} members, {Boards} boards", _staff.Count + _operations.Count + 2, boards.Length);
    }

    /// <summary>Outside Development: the first admin comes from configuration, once.</summary>
    public async Task EnsureFirstAdminAsync(IConfiguration configuration, CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct)) return;
        var email = configuration["Board:Admin:Email"];
        var password = configuration["Board:Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            log.LogWarning("No members yet: set Board:Admin:Email and Board:Admin:Password to create the first administrator");
            return;
        }
        await MemberAccounts.CreateAsync(db, users, email, configuration["Board:Admin:Name"] ?? "Administrator", password,
            [Roles.Admin], Actor.System, clock.GetUtcNow());
        await db.CommitAsync(ct);
    }

    /// <summary>Korean names read family name first, with no space.</summary>
    private static string KoreanName(Faker ko) => ko.Name.LastName() + ko.Name.FirstName();

    private async Task<Member> AddAsync(string email, string name, IReadOnlyList<string> roles, Actor by, DateTimeOffset at)
    {
        var account = await MemberAccounts.CreateAsync(db, users, email, name, Password, roles, by, at);
        var member = account.ToMember(roles);
        if (roles.Contains(Roles.Staff)) _staff.Add(member);
        if (roles.Contains(Roles.Operations)) _operations.Add(member);
        return member;
    }

    /// <summary>Forty proposals in every state, their steps replayed in time order so the trail reads as it happened.</summary>
    private async Task PlayProposalsAsync(DomainBoard[] boards, DateTimeOffset start, DateTimeOffset now, Randomizer random, CancellationToken ct)
    {
        const int Count = 40;
        var steps = new List<(DateTimeOffset At, Action<DateTimeOffset> Do)>();
        var spacing = (now - start - TimeSpan.FromHours(6)) / Count;
        for (var i = 0; i < Count; i++)
        {
            var board = boards[i % 7 < 4 ? 0 : i % 7 < 6 ? 1 : 2];
            var posted = start + spacing * i;
            var author = _staff[random.Number(0, _staff.Count - 1)];
            var text = i % 2 == 0 ? DemoTexts.Korean[i / 2 % DemoTexts.Korean.Length] : DemoTexts.English[i / 2 % DemoTexts.English.Length];
            var approvers = random.Shuffle(_operations).ToList();
            var recent = now - posted < TimeSpan.FromDays(board.Policy.ExpiresAfterDays);
            var target = recent && i >= Count - 12 ? "open" : (i % 5) switch { 0 => "executed", 3 => "withdrawn", 4 when !recent => "expired", _ => "done" };

            Proposal? proposal = null;
            steps.Add((posted, at => db.Proposals.Add(proposal = Proposal.Post(board, author, text.Title, text.Body, null, at))));
            if (i % 3 == 1)
                steps.Add((posted.AddMinutes(40), at => proposal!.AddComment(_staff[random.Number(0, _staff.Count - 1)], random.ArrayElement(DemoTexts.Comments), at)));

            var approvals = target switch { "open" => i % 3, "executed" or "done" => board.Policy.ApprovalsRequired, "expired" => 1, _ => 0 };
            for (var a = 0; a < approvals; a++)
            {
                var approver = approvers[a];
                steps.Add((posted.AddHours(1 + a), at => proposal!.Approve(approver, at, _ => true)));
            }
            if (target == "done")
                steps.Add((posted.AddHours(5), at => proposal!.Complete(approvers[0], random.ArrayElement(DemoTexts.Outcomes), at)));
            if (target == "withdrawn")
                steps.Add((posted.AddHours(2), at => proposal!.Withdraw(author, at)));
            if (target == "expired")
                steps.Add((posted.AddDays(board.Policy.ExpiresAfterDays), at => proposal!.Expire(at)));
        }

        foreach (var (at, step) in steps.OrderBy(s => s.At))
        {
            step(at);
            await db.CommitAsync(ct);
        }
    }
}
