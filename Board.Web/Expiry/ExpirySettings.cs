using System.ComponentModel.DataAnnotations;

namespace Board.Web.Expiry;

public sealed class ExpirySettings
{
    /// <summary>How often open proposals past their deadline are expired.</summary>
    [Range(1, 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public int IntervalSeconds { get; set; } = 60;
}
