using Board.Web.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Board.Web.Persistence;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Which database, and how to reach it: the only place outside a provider's own types that knows.</summary>
public sealed record BoardDatabase(DatabaseProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Database:Provider";
    public const string ConnectionKey = "ConnectionStrings:Board";

    /// <summary>
    /// Reads <c>Database:Provider</c> (Sqlite by default) and <c>ConnectionStrings:Board</c>. A SQLite connection without a
    /// file defaults to <paramref name="defaultFolder"/>/board.db. Throws <see cref="SettingException"/> naming the key.
    /// </summary>
    public static BoardDatabase From(IConfiguration configuration, string defaultFolder)
    {
        var providerText = configuration[ProviderKey];
        var provider = string.IsNullOrWhiteSpace(providerText) ? DatabaseProvider.Sqlite
            : Enum.TryParse<DatabaseProvider>(providerText.Trim(), ignoreCase: true, out var p) && Enum.IsDefined(p) ? p
            : throw new SettingException($"{ProviderKey} is '{providerText}': use Sqlite or Postgres.");
        return Of(provider, configuration.GetConnectionString("Board"), defaultFolder);
    }

    public static BoardDatabase Of(DatabaseProvider provider, string? connectionString, string defaultFolder) => provider switch
    {
        DatabaseProvider.Postgres => new(provider, Postgres(connectionString)),
        _ => new(provider, Sqlite(connectionString, defaultFolder)),
    };

    /// <summary>A read-only connection to the same SQLite file (offline commands must not change what they check); PostgreSQL unchanged.</summary>
    public BoardDatabase ReadOnly() => Provider == DatabaseProvider.Sqlite
        ? this with { ConnectionString = new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString() }
        : this;

    /// <summary>The SQLite file, for messages; null on PostgreSQL.</summary>
    public string? File => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    /// <summary>Where the database is, without credentials, for messages.</summary>
    public string Describe() => Provider == DatabaseProvider.Sqlite ? $"SQLite file {Path.GetFullPath(File!)}"
        : new NpgsqlConnectionStringBuilder(ConnectionString) is var b ? $"PostgreSQL {b.Host}:{b.Port}/{b.Database}" : "";

    private static string Sqlite(string? configured, string defaultFolder)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
                ? $"Data Source={Path.Combine(defaultFolder, "board.db")}" : configured)
            {
                DefaultTimeout = 30,
                Pooling = true,
            };
        }
        catch (ArgumentException e)
        {
            throw new SettingException($"{ConnectionKey} is not a SQLite connection string: {e.Message}");
        }
        return builder.ToString();
    }

    /// <summary>Npgsql's <c>Max Auto Prepare</c> when the connection string sets none.</summary>
    public const int AutoPreparedStatements = 64;

    private static string Postgres(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
            throw new SettingException($"{ConnectionKey} is required when {ProviderKey} is Postgres (an Npgsql connection string).");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(configured);
            if (string.IsNullOrWhiteSpace(builder.Host))
                throw new SettingException($"{ConnectionKey} names no Host for PostgreSQL.");
            // Statements run again and again (every approval runs the same dozen) are prepared on the server once per
            // connection instead of parsed and planned each time, unless the connection string says otherwise.
            if (!configured.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) && !configured.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
                builder.MaxAutoPrepare = AutoPreparedStatements;
            // EF Core opens and closes a pooled connection around every read outside a transaction (several per request),
            // and by default each return to the pool costs the server a reset (advisory unlock, CLOSE ALL, UNLISTEN,
            // RESET ALL) before the next statement. Board leaves no session state behind: its settings and locks are
            // transaction-scoped (SET LOCAL, pg_advisory_xact_lock), and the one session lock, taken at start-up, is
            // released in a finally. So no reset, unless the connection string asks for one.
            if (!configured.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase) && !configured.Contains("ResetOnClose", StringComparison.OrdinalIgnoreCase))
                builder.NoResetOnClose = true;
            return builder.ToString();
        }
        catch (ArgumentException e)
        {
            throw new SettingException($"{ConnectionKey} is not an Npgsql connection string: {e.Message}");
        }
    }
}

/// <summary>A setting that keeps Board from starting; the message names the key and is shown as it is.</summary>

public static class DatabaseSetup
{
    public static IServiceCollection AddBoardDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var database = BoardDatabase.From(configuration, Path.Combine(environment.ContentRootPath, "data"));
        services.AddSingleton(database);
        services.AddBoardDbContext(database);
        return services;
    }

    /// <summary>Registers <see cref="BoardDb"/> as the provider's context.</summary>
    public static IServiceCollection AddBoardDbContext(this IServiceCollection services, BoardDatabase database)
    {
        // Contexts are pooled: EF Core builds the options once and hands a request a context it made before, with its
        // internal services already found, reset (nothing tracked; BoardDb forgets its unit of work when disposed). A new
        // context per request found some twenty of them again: 10 % of the server's CPU on a signed-in GET.
        services.AddSingleton<CommitObservers>();
        // A list in a query (ids.Contains(x)) goes in as one parameter (json_each on SQLite, = ANY on PostgreSQL), not as
        // EF Core 10's one parameter per element: that SQL depends on the list's length, and EF Core generated it again
        // on every run of the approvers' check under the write lock (12 % of a SQLite writer's turn). One parameter also
        // has no limit on the list's length.
        if (database.Provider == DatabaseProvider.Postgres)
            services.AddDbContextPool<BoardDb, PostgresBoardDb>(o => o.UseNpgsql(database.ConnectionString, n => n.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)));
        else
        {
            if (Path.GetDirectoryName(Path.GetFullPath(database.File!)) is { } folder) Directory.CreateDirectory(folder);
            services.AddSingleton<SqliteGroupCommit>();
            services.AddSingleton<SqliteStatements>();
            services.AddDbContextPool<BoardDb, SqliteBoardDb>((sp, o) =>
                o.UseSqlite(database.ConnectionString, s => s.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)).AddInterceptors(new SqlitePragmas(), sp.GetRequiredService<SqliteStatements>()));
        }
        return services;
    }

    /// <summary>
    /// Applies migrations (and on SQLite turns on WAL). A database that cannot be reached becomes a
    /// <see cref="SettingException"/> naming <c>ConnectionStrings:Board</c>.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var database = services.GetRequiredService<BoardDatabase>();
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        try
        {
            // A bare open first: if the database cannot be reached, the one-line reason says so, without EF's error logs.
            var exists = true;
            if (database.Provider == DatabaseProvider.Postgres)
            {
                var probe = db.Database.GetDbConnection();
                try
                {
                    await probe.OpenAsync(ct);
                    await probe.CloseAsync();
                }
                catch (Exception e) when (DatabaseErrors.IsMissingDatabase(e))
                {
                    exists = false; // the server answers; MigrateAsync creates the database
                }
            }
            // Under the start-up lock: two instances migrating at once race on CREATE TABLE IF NOT EXISTS of EF's history
            // table before EF's own migrations lock is taken. (A database that does not exist yet has nothing to lock on.)
            if (exists) await services.RunExclusiveAsync(() => db.Database.MigrateAsync(ct), ct);
            else await db.Database.MigrateAsync(ct);
            // WAL is a property of the file: readers never block the single writer, and commits append.
            if (database.Provider == DatabaseProvider.Sqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        catch (Exception e) when (DatabaseErrors.IsUnreachable(e))
        {
            throw new SettingException(
                $"{BoardDatabase.ConnectionKey}: cannot reach the database ({database.Describe()}): {FirstLine(e)}", e);
        }
    }

    /// <summary>The session-level advisory lock key of start-up work ("BoardUp"), distinct from the writers' lock.</summary>
    public const long StartupLockKey = 0x426F61726455;

    private const int StartupWaitSeconds = 600;

    /// <summary>
    /// Runs start-up work that two instances must not do at once (the first sign-in key, the demo seed) holding a
    /// session-level advisory lock on a connection of its own, on PostgreSQL. It spans the many commits of the demo
    /// seed, so a second instance starting meanwhile waits here — before its expiry sweeper could touch half-seeded
    /// proposals — and then finds the work done. SQLite instances share one machine and just run it.
    /// </summary>
    public static async Task RunExclusiveAsync(this IServiceProvider services, Func<Task> work, CancellationToken ct = default)
    {
        var database = services.GetRequiredService<BoardDatabase>();
        if (database.Provider != DatabaseProvider.Postgres)
        {
            await work();
            return;
        }
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        // Waits as long as the other instance's start-up takes (a first demo seed on a busy machine: minutes), not 30 s.
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({StartupLockKey})", connection) { CommandTimeout = StartupWaitSeconds })
            await take.ExecuteNonQueryAsync(ct);
        try
        {
            await work();
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({StartupLockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static string FirstLine(Exception e)
    {
        while (e.InnerException is { } inner && e is not Npgsql.PostgresException) e = inner;
        return e.Message.Split('\n')[0].Trim();
    }
}
