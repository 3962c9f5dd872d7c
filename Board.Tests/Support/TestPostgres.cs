using Npgsql;

namespace Board.Tests;

/// <summary>
/// The PostgreSQL server the tests use: <c>BOARD_TEST_POSTGRES</c>, an Npgsql connection string of a user that may
/// CREATE DATABASE. Missing, the PostgreSQL tests fail (never skip) and say how to get one.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "BOARD_TEST_POSTGRES";

    public static string Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value
        : throw new InvalidOperationException(
            $"{Variable} is not set: start PostgreSQL with `eval \"$(scripts/services.sh start)\"` (it prints {Variable}), then run the tests again.");

    public static string NewName() => $"board_test_{Guid.NewGuid():N}";

    public static string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(Server) { Database = database, Pooling = true, MaxPoolSize = 50 }.ToString();

    public static async Task CreateDatabaseAsync(string name) => await ExecAsync($"CREATE DATABASE \"{name}\"");

    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static async Task ExecAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
