using System.Data.Common;
using Board.Web.Hosting;
using Board.Web.Persistence;
using static Board.Web.Trail.AuditCommand;

namespace Board.Web.Trail;

/// <summary>
/// <c>dotnet run --project Board.Web -- backup --out FILE [DATABASE]</c>: a consistent copy of a live SQLite database
/// (SQLite's online backup API; the app keeps serving and writing meanwhile), then the copy's own trail is verified
/// and its head printed: the recovery point the copy gives. PostgreSQL is backed up with pg_dump (docs/operations.md).
/// Exit codes: 0 written and valid, 1 written but its trail does not verify, 2 usage error or unreadable database.
/// </summary>
public static class BackupCommand
{
    private const string Help = """
        usage:
          backup --out FILE [--db PATH]
        Copies the SQLite database (--db PATH, else ConnectionStrings__Board from the environment, else the app's own
        data/board.db) to FILE while the app runs, verifies the copy's trail and prints its head (seq and hash).
        PostgreSQL: use pg_dump, see docs/operations.md.
        exit codes: 0 written and valid, 1 written but the copy's trail does not verify, 2 usage error or unreadable database
        """;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (args is ["help" or "--help" or "-h", ..])
        {
            await stdout.WriteLineAsync(Help);
            return Valid;
        }
        try
        {
            var options = Options.Parse(args);
            options.Allow("db", "out");
            var destination = options.Get("out") is { Length: > 0 } path ? Path.GetFullPath(path) : throw new UsageException("--out FILE is required");
            var source = ReadOnly(options);
            if (source.Provider != DatabaseProvider.Sqlite)
                throw new UsageException("the backup command copies a SQLite database; back PostgreSQL up with pg_dump (docs/operations.md)");
            if (Path.GetFullPath(source.File!) == destination) throw new UsageException("--out must not be the database itself");

            await SqliteBackup.CopyAsync(source, destination, ct);
            var copy = BoardDatabase.Of(DatabaseProvider.Sqlite, $"Data Source={destination}", "").ReadOnly();
            var result = await TrailVerifier.VerifyAsync(copy, null, ct);
            if (!result.Valid)
            {
                await stdout.WriteLineAsync($"backup: wrote {destination}, but its trail does NOT verify: first invalid seq={result.FirstInvalidSeq}: {result.Problem}");
                return Invalid;
            }
            await stdout.WriteLineAsync($"backup: wrote {destination}: trail head seq={result.HeadSeq} hash={result.HeadHash} ({result.Count} entries, verified)");
            return Valid;
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"backup: {e.Message}");
            await stderr.WriteLineAsync(Help);
            return Usage;
        }
        catch (SettingException e)
        {
            await stderr.WriteLineAsync($"backup: {e.Message}");
            return Usage;
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"backup: cannot copy the database: {e.Message}");
            return Usage;
        }
    }
}
