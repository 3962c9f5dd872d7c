using Board.Web.Hosting;

namespace Board.Web.Trail;

/// <summary>
/// Where the trail signing key comes from: the file named by <c>Keys:TrailSigningKey</c>, never the database. In
/// Development a missing file is generated (by default in the app's data folder); elsewhere the start refuses.
/// </summary>
public static class TrailKeySetup
{
    public const string Setting = "Keys:TrailSigningKey";
    public const string DefaultFile = "trail-signing.key";

    public static TrailKey Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[Setting];
        if (string.IsNullOrWhiteSpace(configured) && !environment.IsDevelopment())
            throw new SettingException($"{Setting} is required outside Development: the path of the trail's Ed25519 signing key file (make one with `audit keygen --name ORIGIN --out FILE`; keep it out of the database and its backups).");
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(environment.ContentRootPath, "data", DefaultFile) : configured);
        if (!File.Exists(path))
        {
            if (!environment.IsDevelopment())
                throw new SettingException($"{Setting} names no key file: {path} does not exist.");
            var origin = configuration.GetValue("Trail:Origin", "board.localhost/trail")!;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                // CreateNew: two instances starting at once keep the first one's key.
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(file);
                writer.Write(TrailKey.Generate(origin));
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingException($"{Setting}: {path} cannot be read ({e.Message}).", e);
        }
        return TrailKey.Parse(text)
            ?? throw new SettingException($"{Setting}: {path} is not a trail key (PRIVATE+KEY+name+hash+key, as `audit keygen` writes).");
    }
}
