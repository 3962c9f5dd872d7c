using Board.Web.Persistence;
using Npgsql;

namespace Board.Tests.Persistence;

/// <summary>What Board adds to a PostgreSQL connection string, and that a setting written in it wins.</summary>
public sealed class DatabaseSettingsTests
{
    private static NpgsqlConnectionStringBuilder Postgres(string configured) =>
        new(BoardDatabase.Of(DatabaseProvider.Postgres, configured, ".").ConnectionString);

    [Fact]
    public void Postgres_ByDefault_PreparesRecurringStatements_AndSkipsTheResetOnEveryReturnToThePool()
    {
        var built = Postgres("Host=db.example;Database=board;Username=board");

        Assert.Equal(BoardDatabase.AutoPreparedStatements, built.MaxAutoPrepare);
        Assert.True(built.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db.example;Database=board;No Reset On Close=false")]
    [InlineData("Host=db.example;Database=board;NoResetOnClose=false")]
    public void Postgres_ResetOnClose_AskedForInTheConnectionString_IsKept(string configured) =>
        Assert.False(Postgres(configured).NoResetOnClose);

    [Fact]
    public void Postgres_AutoPrepare_SetInTheConnectionString_IsKept() =>
        Assert.Equal(0, Postgres("Host=db.example;Database=board;Max Auto Prepare=0").MaxAutoPrepare);
}
