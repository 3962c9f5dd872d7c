using System.ComponentModel.DataAnnotations;

namespace Board.Web.Trail;

public sealed class TrailSettings
{
    /// <summary>Verifies running at once on one instance.</summary>
    [Range(1, 64, ErrorMessage = "must be between {1} and {2}")]
    public int VerifyConcurrency { get; set; } = 1;

    /// <summary>Verifies waiting for a turn; beyond that 429 busy.</summary>
    [Range(0, 1000, ErrorMessage = "must be between {1} and {2}")]
    public int VerifyQueue { get; set; } = 8;

    /// <summary>A signed checkpoint is made at most this often, when the trail has grown.</summary>
    [Range(1, 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public int CheckpointSeconds { get; set; } = 60;

    /// <summary>The name of a trail key generated in Development: the checkpoints' origin line.</summary>
    [RegularExpression(@"^[^\s+]{1,200}$", ErrorMessage = "must be a name without spaces or '+', such as board.example.org/trail")]
    public string Origin { get; set; } = "board.localhost/trail";
}
