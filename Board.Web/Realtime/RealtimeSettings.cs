using System.ComponentModel.DataAnnotations;

namespace Board.Web.Realtime;

public sealed class RealtimeSettings
{
    /// <summary>How often the broadcaster looks for other instances' commits.</summary>
    [Range(10, 600_000, ErrorMessage = "must be between {1} and {2} milliseconds")]
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How often each watched board's watchers are told its latest seq (<c>head</c>), so a missed commit is repaired.</summary>
    [Range(1, 3_600, ErrorMessage = "must be between {1} and {2} seconds")]
    public int HeadSeconds { get; set; } = 15;

    /// <summary>Hub connections one member may hold on one instance (tabs, devices); one more is refused.</summary>
    [Range(1, 100_000, ErrorMessage = "must be between {1} and {2}")]
    public int ConnectionsPerMember { get; set; } = 20;
}
