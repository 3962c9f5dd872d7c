using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Board.Web.Hosting;

/// <summary>
/// Every setting is checked before the app touches the database, and a wrong one stops it with one line naming the
/// key (<c>Expiry:IntervalSeconds = '0': must be between 1 and 86400</c>), not a stack trace. Defaults live in
/// appsettings.json; the classes here say what a valid value is.
/// </summary>
public static class ConfigurationCheck
{
    public static IServiceCollection AddCheckedSettings(this IServiceCollection services)
    {
        Add<ExpirySettings>(services, "Expiry");
        Add<RealtimeSettings>(services, "Realtime");
        Add<TrailSettings>(services, "Trail");
        Add<MetricsSettings>(services, "Metrics");
        Add<Webhooks.WebhookOptions>(services, Webhooks.WebhookOptions.Section);
        return services;
    }

    private static void Add<T>(IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(sp => new SectionValidator<T>(section, sp.GetRequiredService<IConfiguration>()));
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>Validates every setting now; on a wrong one prints why, one line per key, and returns false.</summary>
    public static bool Passes(IServiceProvider services, TextWriter error)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return true;
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures) error.WriteLine($"Board cannot start: {failure}");
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            foreach (var failure in ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures))
                error.WriteLine($"Board cannot start: {failure}");
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's own message names the key: "Failed to convert configuration value 'x' at 'Expiry:IntervalSeconds' to type 'System.Int32'."
            error.WriteLine($"Board cannot start: {ex.Message}");
        }
        return false;
    }

    /// <summary>Data annotations, reported by configuration key and the value given.</summary>
    private sealed class SectionValidator<T>(string section, IConfiguration configuration) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
                return ValidateOptionsResult.Success;
            return ValidateOptionsResult.Fail(results.Select(r =>
            {
                var key = $"{section}:{r.MemberNames.FirstOrDefault()}";
                return $"{key} = '{configuration[key]}': {r.ErrorMessage}";
            }));
        }
    }
}

public sealed class ExpirySettings
{
    /// <summary>How often open proposals past their deadline are expired.</summary>
    [Range(1, 86_400, ErrorMessage = "must be between {1} and {2} seconds")]
    public int IntervalSeconds { get; set; } = 60;
}

public sealed class RealtimeSettings
{
    /// <summary>How often the broadcaster looks for other instances' commits.</summary>
    [Range(10, 600_000, ErrorMessage = "must be between {1} and {2} milliseconds")]
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How often each watched board's watchers are told its latest seq (<c>head</c>), so a missed commit is repaired.</summary>
    [Range(1, 3_600, ErrorMessage = "must be between {1} and {2} seconds")]
    public int HeadSeconds { get; set; } = 15;

    /// <summary>Hub connections one member may hold on one instance (tabs, devices); one more is refused.</summary>
    [Range(1, 1_000, ErrorMessage = "must be between {1} and {2}")]
    public int ConnectionsPerMember { get; set; } = 20;
}

public sealed class TrailSettings
{
    /// <summary>Verifies running at once on one instance.</summary>
    [Range(1, 64, ErrorMessage = "must be between {1} and {2}")]
    public int VerifyConcurrency { get; set; } = 1;

    /// <summary>Verifies waiting for a turn; beyond that 429 busy.</summary>
    [Range(0, 1000, ErrorMessage = "must be between {1} and {2}")]
    public int VerifyQueue { get; set; } = 8;
}

public sealed class MetricsSettings
{
    /// <summary>A port on which <c>/metrics</c> answers any caller (and nothing else is served); unset: this machine only.</summary>
    [Range(1, 65_535, ErrorMessage = "must be a TCP port, 1 to 65535, or empty")]
    public int? Port { get; set; }
}
