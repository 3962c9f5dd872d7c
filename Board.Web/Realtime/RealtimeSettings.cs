using System.ComponentModel.DataAnnotations;

namespace Board.Web.Realtime;

public sealed class RealtimeSettings
{
    /// <summary>How often the broadcaster looks for other instances' commits.</summary>
    [Range(10, 600_000, ErrorMessage = "must be between {1} and {2} milliseconds")]
    public int PollMilliseconds { get; set; } = 1000;
}
