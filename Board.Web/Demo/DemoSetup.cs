namespace Board.Web.Demo;

/// <summary>
/// The feature's start-up step, called by Program (Persistence knows nothing of it). Program runs it under
/// <see cref="Persistence.DatabaseSetup.RunExclusiveAsync"/>, so of two instances starting at once one seeds.
/// </summary>
public static class DemoSetup
{
    /// <summary>Seeds demo data into an empty database in Development (unless <c>Demo:Seed</c> is false), else the first admin.</summary>
    public static async Task SeedAsync(this IServiceProvider services, IHostEnvironment environment, IConfiguration configuration)
    {
        using var scope = services.CreateScope();
        var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(scope.ServiceProvider);
        if (environment.IsDevelopment() && configuration.GetValue("Demo:Seed", true))
            await seeder.SeedDemoAsync(CancellationToken.None);
        else
            await seeder.EnsureFirstAdminAsync(configuration, CancellationToken.None);
    }
}
