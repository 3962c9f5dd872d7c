using Board.Web.Demo;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Persistence;

public static class DatabaseSetup
{
    public static IServiceCollection AddBoardDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = ConnectionString(configuration, environment);
        services.AddSingleton<WriteGate>();
        services.AddDbContext<BoardDb>(o => o.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas()));
        return services;
    }

    /// <summary><c>ConnectionStrings:Board</c>, or a file in the app's data folder.</summary>
    public static string ConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString("Board");
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(environment.ContentRootPath, "data", "board.db")}"
            : configured)
        {
            DefaultTimeout = 30,
            Pooling = true,
        };
        if (Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } folder) Directory.CreateDirectory(folder);
        return builder.ToString();
    }

    /// <summary>Applies migrations, turns on WAL, and seeds demo data (Development) or the first admin (otherwise).</summary>
    public static async Task PrepareDatabaseAsync(this IServiceProvider services, IHostEnvironment environment, IConfiguration configuration)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        await db.Database.MigrateAsync();
        // WAL is a property of the file: readers never block the single writer, and commits append.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(scope.ServiceProvider);
        if (environment.IsDevelopment() && configuration.GetValue("Demo:Seed", true))
            await seeder.SeedDemoAsync(CancellationToken.None);
        else
            await seeder.EnsureFirstAdminAsync(configuration, CancellationToken.None);
    }
}
