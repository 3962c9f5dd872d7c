using Board.Web.Persistence;

namespace Board.Web.Trail;

public static class TrailProofSetup
{
    /// <summary>The Merkle tree kept with every commit.</summary>
    public static IServiceCollection AddTrailProof(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton<TrailTree>();
        services.AddSingleton<ICommitObserver>(sp => sp.GetRequiredService<TrailTree>());
        services.AddSingleton(_ => TrailKeySetup.Load(configuration, environment));
        services.AddSingleton<CheckpointWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<CheckpointWriter>());
        return services;
    }
}
