namespace Board.Bench;

public sealed record Machine(string Cpu, int Cores, long MemoryBytes, string Os, string Runtime);

public sealed record TravelResult(
    int Watchers, int Connected, double ConnectSeconds, string? ConnectError, int Decisions, int Missed, int PayloadBytes,
    Percentiles Travel, Percentiles FirstArrival, Percentiles HttpResponse, Percentiles Floor, Percentiles FloorFirstArrival,
    int FloorMissed, double RatioP50, double RatioP99, CpuUse Cpu,
    Percentiles? DurableFloor = null, int DurableMissed = 0, double RatioDurableP50 = double.NaN, double RatioDurableP99 = double.NaN);

public sealed record ApprovalsResult(
    int Approvers, int Proposals, int Committed, int RefusedNotOpen, int Errors, double Seconds, double PerSecond,
    Percentiles Latency, int ExecutedEntries, int ExecutedProposals, int DoubleExecutions, int ExpectedExecutions,
    int ProposalsOverApproved, CpuUse Cpu, int WarmupProposals = 0, double WarmupSeconds = 0, int TimedExecuted = 0);

/// <summary>A database floor: raw writes shaped like one approval, <see cref="Writers"/> at a time.</summary>
public sealed record FloorResult(int Writers, int Transactions, double Seconds, double PerSecond, Percentiles Latency, CpuUse Cpu);

public sealed record HeldStep(int Watchers, long ServerRssBytes, double ServerBytesPerConnection, double MarginalBytesPerConnection, long ClientRssBytes, double ConnectSeconds);

/// <param name="ServerOpenFiles">The server's soft open-files limit, which bounds the WebSockets it takes (null: not known).</param>
public sealed record ConnectionsResult(int Target, int Held, string? StoppedBy, long ServerRssBeforeBytes, IReadOnlyList<HeldStep> Steps, CpuUse Cpu, long? ServerOpenFiles = null);

/// <summary>
/// (6) Distinct members joining one board. Seconds are from the first connect; messages and bytes are the
/// <c>presence</c> messages the watchers received, until a second after every watcher had seen the full count.
/// </summary>
public sealed record MembersResult(
    int Target, string PrepareMode, int Prepared, CpuUse Prepare, string? PrepareError, int Joined, double JoinedSeconds, double SeenSeconds, int SawAll,
    long MessagesTotal, int MessagesMax, double MessagesMean, long BytesTotal, long BytesMaxPerWatcher, CpuUse Cpu,
    long ServerRssBeforeBytes, long ServerRssAfterBytes, string? StoppedBy);

/// <summary>(5b) reads timed (milliseconds over repeats) on a trail of <see cref="Entries"/> entries.</summary>
public sealed record ScaleStep(long Entries, double FillSeconds, long DatabaseBytes, Percentiles Insights12Weeks, Percentiles InsightsLastDay,
    Percentiles AuditPage, Percentiles BoardPageDeep, Percentiles EventsAfter);

public sealed record TrailStep(string Step, long Entries, double Seconds, long PeakWorkingSetBytes, double CpuSeconds, string? Detail);

public sealed record TrailResult(long Entries, long DatabaseBytes, long ExportBytes, IReadOnlyList<TrailStep> Steps);

/// <summary>(7) Photos: upload to visible on another member's board, and the server's memory around one 10 MB upload.</summary>
public sealed record PhotosResult(
    int Uploads, int UploadBytes, int StoredWidth, int StoredHeight, Percentiles Reply, Percentiles Visible, CpuUse Cpu,
    int LargeBytes, double LargeReplyMs, long ServerRssBeforeBytes, long ServerRssPeakBytes, long ServerRssAfterBytes);

public sealed record BenchResult(
    string Date, string Commit, Machine Machine, bool Quick, string Target,
    List<TravelResult> Travel, ApprovalsResult? Approvals, FloorResult? SqliteFloor, ConnectionsResult? Connections,
    TrailResult? Trail, List<string> Notes, MembersResult? Members = null, PhotosResult? Photos = null)
{
    /// <summary>The database Board ran on: its approvals are compared with that database's floor.</summary>
    public string Provider { get; init; } = "sqlite";
    public FloorResult? PostgresFloor { get; init; }
    /// <summary>/proc/loadavg (1, 5, 15 minutes) when the run started and when it ended.</summary>
    public string LoadAtStart { get; init; } = "";
    public string LoadAtEnd { get; init; } = "";
    public List<ScaleStep> Scale { get; init; } = [];
}
