using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Board.Web.Hosting;

/// <summary>
/// Every setting is checked before the app touches the database, and a wrong one stops it with one line naming the
/// key (<c>Expiry:IntervalSeconds = '0': must be between 1 and 86400</c>), not a stack trace. Defaults live in
/// appsettings.json; each feature's settings class, next to the feature, says what a valid value is.
/// </summary>
public static class ConfigurationCheck
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>, checked by its data annotations at start.</summary>
    public static IServiceCollection AddCheckedSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(sp => new SectionValidator<T>(section, sp.GetRequiredService<IConfiguration>()));
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        return services;
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
