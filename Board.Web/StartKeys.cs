using Board.Web.Keys;
using Board.Web.Push;
using Board.Web.Trail;

namespace Board.Web;

/// <summary>Beside Program.cs, above every folder: the keys that live outside the database, each read (or, in Development, made) before anything else runs.</summary>
public static class StartKeys
{
    /// <summary>Throws <see cref="Hosting.SettingException"/> naming the first setting whose key cannot be had.</summary>
    public static void RequireKeys(this IServiceProvider services)
    {
        services.GetRequiredService<DataProtectionCertificate>().ThrowIfMissing();
        services.GetRequiredService<TrailKey>();
        services.LoadPushKeys();
    }
}
