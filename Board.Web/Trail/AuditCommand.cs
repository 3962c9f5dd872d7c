using System.Data.Common;
using System.Globalization;
using Board.Domain.Trail;
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
          audit verify   [DATABASE] [--head HASH] [--head-seq N] [--checkpoint FILE] [--key VKEY] [--full]
          audit prove    [DATABASE] --seq N --checkpoint FILE
          audit head     [DATABASE]
          audit keygen   --name ORIGIN --out FILE
          audit export   [DATABASE] [--format csv|jsonl] [--out FILE] [--board ID] [--proposal ID]
                         [--actor ID] [--action NAME] [--from ISO-TIME] [--to ISO-TIME] [--after SEQ]
        --checkpoint FILE is a signed checkpoint kept elsewhere (a webhook's copy, /api/audit/checkpoint): verify
        proves the trail extends it, prove gives an inclusion proof against it. --key is the note verifier key
        (/api/audit/key), or a file holding it: checkpoints are checked against it, and verify starts from the
        last checkpoint a verification found whole unless --full. keygen writes a new trail signing key file.
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
                "prove" => await ProveAsync(options, stdout, ct),
                "keygen" => await KeygenAsync(options, stdout, ct),
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
        o.Allow("db", "provider", "connection", "head", "head-seq", "checkpoint", "key", "full");
        var hash = o.Get("head")?.Trim().ToLowerInvariant();
        var seq = o.Long("head-seq");
        if (hash is not null && !TrailEndpoints.IsHash(hash)) throw new UsageException("--head is a hash of 64 hexadecimal characters");
        if (hash is null && seq is not null) throw new UsageException("--head-seq needs --head");
        var key = VerifierKey(o);
        var outside = o.Get("checkpoint") is { } file ? ReadCheckpoint(file, key ?? throw new UsageException("--checkpoint needs --key to check its signature")) : null;
        if (outside is null && key is not null && !o.Flag("full") && hash is null)
            await stdout.WriteLineAsync("starting from the last checkpoint verified before (--full to recompute everything)");
        var check = new TrailCheck(hash is null ? null : new ExpectedHead(seq, hash), outside, key, Full: key is null || o.Flag("full"));
        var result = await TrailVerifier.CheckAsync(ReadOnly(o), check, ct);
        if (result.Valid)
        {
            await stdout.WriteLineAsync($"valid: {result.Count} entries" + (result.VerifiedFrom > 0 ? $" after checkpoint {result.VerifiedFrom}" : "")
                + $", head seq={result.HeadSeq} hash={result.HeadHash}"
                + (hash is null ? "" : $"; contains the given head {hash}")
                + (outside is null ? "" : $"; extends the checkpoint at size {outside.Size}"));
            return Valid;
        }
        await stdout.WriteLineAsync($"INVALID: first invalid seq={result.FirstInvalidSeq?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}: {result.Problem}");
        await stdout.WriteLineAsync($"checked {result.Count} entries; last valid seq={result.HeadSeq} hash={result.HeadHash}");
        return Invalid;
    }

    /// <summary>
    /// The inclusion proof of one entry against a checkpoint, as JSON an outsider checks without Board: the entry as
    /// hashed, its leaf hash, the RFC 9162 path, and the checkpoint itself (docs/audit.md).
    /// </summary>
    private static async Task<int> ProveAsync(Options o, TextWriter stdout, CancellationToken ct)
    {
        o.Allow("db", "provider", "connection", "seq", "checkpoint");
        var seq = o.Long("seq") ?? throw new UsageException("--seq N names the entry to prove");
        var file = o.Get("checkpoint") ?? throw new UsageException("--checkpoint FILE names the checkpoint to prove it against");
        var note = ReadFile(file);
        var checkpoint = Checkpoint.Parse(NoteText(note) ?? "") ?? throw new UsageException($"{file} is not a signed checkpoint");
        if (seq < 1 || seq > checkpoint.Size) throw new UsageException($"--seq must be from 1 to the checkpoint's size, {checkpoint.Size}");

        await using var tx = await TrailSnapshot.OpenAsync(ReadOnly(o), ct);
        var treeSize = await TrailTree.SizeAsync(tx, ct);
        if (treeSize < checkpoint.Size)
        {
            await stdout.WriteLineAsync($"INVALID: the trail's tree holds {treeSize} entries, fewer than the checkpoint's {checkpoint.Size}");
            return Invalid;
        }
        var load = TrailTree.From(tx);
        if (!(await TrailTree.RootAsync(load, checkpoint.Size, ct)).AsSpan().SequenceEqual(checkpoint.Root))
        {
            await stdout.WriteLineAsync($"INVALID: this trail does not have the checkpoint's root at size {checkpoint.Size}");
            return Invalid;
        }
        AuditEntry? entry = null;
        await foreach (var e in TrailReader.ReadAsync(tx, new TrailFilter(After: seq - 1), seq, ct)) entry = e;
        if (entry is null) throw new UsageException($"there is no entry {seq}");
        var proof = await TrailTree.InclusionAsync(load, seq - 1, checkpoint.Size, ct);
        var leaf = MerkleTree.LeafOf(entry);
        if (!MerkleTree.VerifyInclusion(seq - 1, checkpoint.Size, leaf, proof, checkpoint.Root))
        {
            await stdout.WriteLineAsync($"INVALID: entry {seq} is not the one the checkpoint includes");
            return Invalid;
        }
        var document = new System.Text.Json.Nodes.JsonObject
        {
            ["seq"] = seq,
            ["size"] = checkpoint.Size,
            // The exact text that was hashed: hash = SHA-256(prevHash ‖ canonical), so an outsider recomputes it.
            ["canonical"] = HashChain.CanonicalBody(entry),
            ["prevHash"] = entry.PrevHash,
            ["hash"] = entry.Hash,
            ["leafHash"] = Convert.ToBase64String(leaf),
            ["hashes"] = new System.Text.Json.Nodes.JsonArray([.. proof.Select(p => (System.Text.Json.Nodes.JsonNode)Convert.ToBase64String(p))]),
            ["checkpoint"] = note,
        };
        await stdout.WriteLineAsync(document.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
        return Valid;
    }

    private static async Task<int> KeygenAsync(Options o, TextWriter stdout, CancellationToken ct)
    {
        o.Allow("name", "out");
        var name = o.Get("name") ?? throw new UsageException("--name ORIGIN names the key (the checkpoints' origin line), e.g. board.example.org/trail");
        var path = o.Get("out") ?? throw new UsageException("--out FILE is where the key goes");
        if (!SignedNote.IsValidName(name)) throw new UsageException("--name has no spaces or '+'");
        var text = TrailKey.Generate(name);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            await using var writer = new StreamWriter(file);
            await writer.WriteAsync(text.AsMemory(), ct);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new UsageException($"{path} exists: a key is never overwritten");
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var key = TrailKey.Parse(text)!;
        await stdout.WriteLineAsync($"wrote {path}; set Keys__TrailSigningKey to it. Verifier key: {key.Verifier}");
        return Valid;
    }

    /// <summary>The verifier key given by --key, as the key itself or a file that holds it.</summary>
    private static NoteVerifier? VerifierKey(Options o)
    {
        if (o.Get("key") is not { } value) return null;
        var text = File.Exists(value) ? ReadFile(value) : value;
        return SignedNote.ParseVerifierKey(text) ?? throw new UsageException("--key is not a note verifier key (name+hash+key, as /api/audit/key gives it)");
    }

    /// <summary>A checkpoint kept elsewhere, signed by <paramref name="key"/>.</summary>
    private static Checkpoint ReadCheckpoint(string path, NoteVerifier key)
    {
        var text = SignedNote.Open(ReadFile(path), key) ?? throw new UsageException($"{path} is not a checkpoint signed by {key.Name}");
        return Checkpoint.Parse(text) ?? throw new UsageException($"{path} is not a checkpoint");
    }

    private static string? NoteText(string note) => note.LastIndexOf("\n\n", StringComparison.Ordinal) is var i and >= 0 ? note[..(i + 1)] : null;

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path).ReplaceLineEndings("\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
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
        private static readonly string[] Flags = ["full"];
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
                else if (Flags.Contains(name)) value = "true";
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

        public bool Flag(string name) => Get(name) switch
        {
            null => false,
            "true" => true,
            _ => throw new UsageException($"--{name} takes no value"),
        };

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
