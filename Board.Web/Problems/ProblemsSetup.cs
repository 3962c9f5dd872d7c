using System.Diagnostics;
using System.Text.Json;

namespace Board.Web.Problems;

public static class ProblemsSetup
{
    /// <summary>
    /// Refusals, bad requests and faults all answer as problem details with a <c>code</c> and the request's
    /// <c>traceId</c>; field errors under the JSON names clients send.
    /// </summary>
    public static IServiceCollection AddBoardProblems(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<RefusalHandler>();
        return services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions.TryAdd("code", RefusalHandler.CodeOfStatus(c.ProblemDetails.Status));
            // The id of the request's trace, as every log line of the request carries it: a client's report finds the logs.
            c.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? c.HttpContext.TraceIdentifier;
            // Field errors use the JSON names clients send, not the C# property names.
            if (c.ProblemDetails is HttpValidationProblemDetails validation)
            {
                var camel = validation.Errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value);
                validation.Errors.Clear();
                foreach (var (key, value) in camel) validation.Errors[key] = value;
            }
        });
    }
}
