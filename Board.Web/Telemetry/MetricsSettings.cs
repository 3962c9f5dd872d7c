using System.ComponentModel.DataAnnotations;

namespace Board.Web.Telemetry;

public sealed class MetricsSettings
{
    /// <summary>A port on which <c>/metrics</c> answers any caller (and nothing else is served); unset: this machine only.</summary>
    [Range(1, 65_535, ErrorMessage = "must be a TCP port, 1 to 65535, or empty")]
    public int? Port { get; set; }
}
