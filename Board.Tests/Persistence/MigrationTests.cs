using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Tests.Persistence;

/// <summary>Each provider's migrations match the model: nobody changed an entity without adding a migration for both.</summary>
[Trait("Kind", "Domain")]
public sealed class MigrationTests
{
    [Fact]
    public void SqliteModel_HasNoPendingChanges()
    {
        using var db = new SqliteBoardDbFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "dotnet ef migrations add NAME --context SqliteBoardDb -o Persistence/Migrations/Sqlite");
    }

    [Fact]
    public void PostgresModel_HasNoPendingChanges()
    {
        using var db = new PostgresBoardDbFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "dotnet ef migrations add NAME --context PostgresBoardDb -o Persistence/Migrations/Postgres");
    }
}
