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
}
