using Microsoft.Data.Sqlite;

namespace Board.Web.Persistence;

/// <summary>
/// A consistent copy of a live SQLite database through SQLite's online backup API: the pages are copied in one step
/// inside one read transaction of the source, so the copy is the database as of one instant (every commit before it,
/// none after), while writers go on (under WAL a reader holds nobody back). The copy is written next to
/// <c>destination</c> first and moved into place once whole, in rollback-journal mode so that it is one file.
/// </summary>
public static class SqliteBackup
{
    public static async Task CopyAsync(BoardDatabase source, string destination, CancellationToken ct)
    {
        if (source.Provider != DatabaseProvider.Sqlite) throw new InvalidOperationException("The online backup is for SQLite.");
        var partial = destination + ".partial";
        File.Delete(partial);
        try
        {
            await using (var from = new SqliteConnection(source.ConnectionString))
            await using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
            {
                await from.OpenAsync(ct);
                await to.OpenAsync(ct);
                from.BackupDatabase(to);
                await using var single = to.CreateCommand();
                single.CommandText = "PRAGMA journal_mode=DELETE;";
                await single.ExecuteNonQueryAsync(ct);
            }
            File.Move(partial, destination, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
