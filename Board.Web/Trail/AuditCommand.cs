using System.Data.Common;
using System.Globalization;
using Board.Web.Hosting;
using Board.Web.Persistence;

namespace Board.Web.Trail;

/// <summary>
/// <c>dotnet run --project Board.Web -- audit …</c>: checks and exports the trail straight from the database (a SQLite
/// file or PostgreSQL), with no server running, through the same reader and verifier as the API.
/// Exit codes: 0 valid (or done), 1 invalid, 2 usage error or unreadable database.
/// </summary>
public static class AuditCommand
{
    public const int Valid = 0;
    public const int Invalid = 1;
    public const int Usage = 2;

    private const string Help = """
        usage:
          audit verify   [DATABASE] [--head HASH] [--head-seq N]
          audit head     [DATABASE]
          audit export   [DATABASE] [--format csv|jsonl] [--out FILE] [--board ID] [--proposal ID]
                         [--actor ID] [--action NAME] [--from ISO-TIME] [--to ISO-TIME] [--after SEQ]
        DATABASE is --db PATH (a SQLite file), or --provider sqlite|postgres with --connection STRING.
        Without them: Database__Provider and ConnectionStrings__Board from the environment, as the app
        reads them; else the app's own file, data/board.db under the working directory (Board.Web/ with dotnet run).
        exit codes: 0 valid or done, 1 invalid, 2 usage error or unreadable database
        """;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (args is [] or ["help" or "--help" or "-h", ..])
        {
            await stdout.WriteLineAsync(Help);
            return args is [] ? Usage : Valid;
        }
        try
        {
            var options = Options.Parse(args[1..]);
            return args[0] switch
            {
                "verify" => await VerifyAsync(options, stdout, ct),
                "head" => await HeadAsync(options, stdout, ct),
                "export" => await ExportAsync(options, stdout, stderr, ct),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"audit: {e.Message}");
            await stderr.WriteLineAsync(Help);
            return Usage;
        }
        catch (CorruptEntryException e)
        {
            await stderr.WriteLineAsync($"audit: stopped: {e.Message}");
            return Invalid;
        }
        catch (SettingException e)
        {
            await stderr.WriteLineAsync($"audit: {e.Message}");
            return Usage;
        }
        catch (DbException e)
        {
            await stderr.WriteLineAsync($"audit: cannot read the database: {e.Message}");
            return Usage;
        }
    }

    private static async Task<int> VerifyAsync(Options o, TextWriter stdout, CancellationToken ct)
    {
        o.Allow("db", "provider", "connection", "head", "head-seq");
        var hash = o.Get("head")?.Trim().ToLowerInvariant();
        var seq = o.Long("head-seq");
        if (hash is not null && !TrailEndpoints.IsHash(hash)) throw new UsageException("--head is a hash of 64 hexadecimal characters");
        if (hash is null && seq is not null) throw new UsageException("--head-seq needs --head");
        var result = await TrailVerifier.VerifyAsync(ReadOnly(o), hash is null ? null : new ExpectedHead(seq, hash), ct);
        if (result.Valid)
        {
            await stdout.WriteLineAsync($"valid: {result.Count} entries, head seq={result.HeadSeq} hash={result.HeadHash}"
                + (hash is null ? "" : $"; contains the given head {hash}"));
            return Valid;
        }
        await stdout.WriteLineAsync($"INVALID: first invalid seq={result.FirstInvalidSeq?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}: {result.Problem}");
        await stdout.WriteLineAsync($"checked {result.Count} entries; last valid seq={result.HeadSeq} hash={result.HeadHash}");
        return Invalid;
    }

    private static async Task<int> HeadAsync(Options o, TextWriter stdout, CancellationToken ct)
    {
        o.Allow("db", "provider", "connection");
        await using (var tx = await TrailSnapshot.OpenAsync(ReadOnly(o), ct))
        {
            var head = await TrailReader.HeadAsync(tx, ct);
            await stdout.WriteLineAsync($"seq={head.Seq} hash={head.Hash} at={head.At ?? "-"}");
        }
        return Valid;
    }

    private static async Task<int> ExportAsync(Options o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        o.Allow("db", "provider", "connection", "format", "out", "board", "proposal", "actor", "action", "from", "to", "after");
        var format = (o.Get("format") ?? TrailExport.Csv).ToLowerInvariant();
        if (!TrailExport.Formats.Contains(format)) throw new UsageException($"--format is one of {string.Join(", ", TrailExport.Formats)}");
        var filter = new TrailFilter(o.Guid("board"), o.Guid("proposal"), o.Guid("actor"), o.Get("action"), o.Time("from"), o.Time("to"), o.Long("after"));
        try
        {
            filter.Validated();
        }
        catch (Domain.Refusal r)
        {
            throw new UsageException(r.Message);
        }

        await using (var tx = await TrailSnapshot.OpenAsync(ReadOnly(o), ct))
        {
            var head = await TrailReader.HeadAsync(tx, ct);
            var path = o.Get("out");
            await using var output = path is null ? Console.OpenStandardOutput() : File.Create(path);
            var rows = await TrailExport.WriteAsync(output, format, tx, filter, head, ct);
            // The summary goes to stderr so that stdout stays a clean export when no --out is given.
            await stderr.WriteLineAsync($"exported {rows} entries{(path is null ? "" : " to " + path)}; head seq={head.Seq} hash={head.Hash}");
        }
        return Valid;
    }

    /// <summary>
    /// The database from the flags, else from the environment as the app reads it. A SQLite file is opened read-only:
    /// an offline check must not be able to change the file it checks.
    /// </summary>
    internal static BoardDatabase ReadOnly(Options o)
    {
        var path = o.Get("db");
        var providerText = o.Get("provider") ?? (path is null ? Environment.GetEnvironmentVariable("Database__Provider") : null);
        if (path is not null && (o.Get("provider") is { } p && !p.Equals("sqlite", StringComparison.OrdinalIgnoreCase) || o.Get("connection") is not null))
            throw new UsageException("--db names a SQLite file; use --provider and --connection for another database");
        var provider = string.IsNullOrWhiteSpace(providerText) ? DatabaseProvider.Sqlite
            : Enum.TryParse<DatabaseProvider>(providerText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
            : throw new UsageException($"--provider is sqlite or postgres, not '{providerText}'");
        var connection = o.Get("connection") ?? (path is null ? Environment.GetEnvironmentVariable("ConnectionStrings__Board") : null);
        if (provider == DatabaseProvider.Postgres)
            return BoardDatabase.Of(provider, connection ?? throw new UsageException("--provider postgres needs --connection (or ConnectionStrings__Board)"), "");

        var database = path is not null ? BoardDatabase.Of(provider, $"Data Source={path}", "")
            : BoardDatabase.Of(provider, connection, Path.Combine(Directory.GetCurrentDirectory(), "data"));
        if (!File.Exists(database.File)) throw new UsageException($"no database at {Path.GetFullPath(database.File!)}");
        return database.ReadOnly();
    }

    internal sealed class UsageException(string message) : Exception(message);

    internal sealed class Options
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length < 3)
                    throw new UsageException($"unexpected argument '{args[i]}'");
                var name = args[i][2..];
                string value;
                if (name.IndexOf('=') is var eq and > 0) (name, value) = (name[..eq], name[(eq + 1)..]);
                else if (i + 1 < args.Length) value = args[++i];
                else throw new UsageException($"--{name} needs a value");
                if (!options._values.TryAdd(name, value)) throw new UsageException($"--{name} is given twice");
            }
            return options;
        }

        public void Allow(params string[] names)
        {
            if (_values.Keys.FirstOrDefault(k => !names.Contains(k)) is { } unknown)
                throw new UsageException($"unknown option --{unknown}");
        }

        public string? Get(string name) => _values.GetValueOrDefault(name);

        public long? Long(string name) => Get(name) is not { } v ? null
            : long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new UsageException($"--{name} is a whole number, not '{v}'");

        public Guid? Guid(string name) => Get(name) is not { } v ? null
            : System.Guid.TryParse(v, out var id) ? id
            : throw new UsageException($"--{name} is an id (a GUID), not '{v}'");

        public DateTimeOffset? Time(string name) => Get(name) is not { } v ? null
            : DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
            : throw new UsageException($"--{name} is an ISO 8601 time, not '{v}'");
    }
}
