using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Persistence;

/// <summary>
/// The host pools its contexts: the one a request gave back is handed to a later one. A request that failed between
/// recording a change and committing it (a refusal, a fault, a client gone) must leave nothing behind in it: no fact
/// that the next request's commit would chain onto the trail, no write lock held.
/// </summary>
public abstract class ContextPoolTests(BoardApp app)
{
    private static TrailFact Fact(string note) => new(TrailActions.MemberPasswordChanged, Actor.System, DateTimeOffset.UtcNow, null, null,
        new JsonObject { ["memberId"] = Guid.NewGuid().ToString(), ["displayName"] = note });

    [Fact]
    public async Task A_context_given_back_without_its_commit_carries_nothing_to_the_request_it_is_handed_to()
    {
        Guid given;
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            given = db.ContextId.InstanceId;
            await db.BeginWriteAsync(default);
            db.Record(Fact("left behind"));
        }

        // Rent contexts until the pool hands that one out again (others may be in the pool before it); all held at once.
        var scopes = new List<IServiceScope>();
        try
        {
            BoardDb? again = null;
            for (var i = 0; i < 300 && again is null; i++)
            {
                var scope = app.Services.CreateScope();
                scopes.Add(scope);
                var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
                if (db.ContextId.InstanceId == given) again = db;
            }
            Assert.NotNull(again);
            Assert.True(again.ContextId.Lease > 0, "the context was handed out again, not made anew");

            // The lock was let go (a writer gets its turn at once) and the fact forgotten: the commit writes only its own.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            again.Record(Fact("kept"));
            var written = await again.CommitAsync(timeout.Token);
            var entry = Assert.Single(written);
            Assert.Equal("kept", JsonNode.Parse(entry.Data)?["displayName"]?.GetValue<string>());
        }
        finally
        {
            foreach (var scope in scopes) scope.Dispose();
        }
    }
}

[Trait("Kind", "Api")]
public sealed class SqliteContextPoolTests(BoardApp app) : ContextPoolTests(app), IClassFixture<BoardApp>;

[Trait("Kind", "Api")]
public sealed class PostgresContextPoolTests(PostgresBoardApp app) : ContextPoolTests(app), IClassFixture<PostgresBoardApp>;
