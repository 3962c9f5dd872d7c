using Board.Domain;
using Board.Web.Persistence;
using Board.Web.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Board.Web.Problems;

/// <summary>The one place a refusal, a bad request or a lost race becomes a problem response.</summary>
public sealed class RefusalHandler(IProblemDetailsService problems, BoardMetrics metrics, ILogger<RefusalHandler> log) : IExceptionHandler
{
    private const string BusyRetryAfterSeconds = "5";

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, code, detail, errors) = exception switch
        {
            Refusal r => (StatusOf(r.Code), CodeOf(r.Code), r.Message, r.Errors),
            BadHttpRequestException b => (b.StatusCode, CodeOfStatus(b.StatusCode), BindingFailure.Describe(b).Detail, BindingFailure.Describe(b).Errors),
            Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException =>
                (StatusCodes.Status409Conflict, "conflict", "Someone else changed this at the same moment. Reload and try again.", null),
            _ when DatabaseErrors.IsConflict(exception) =>
                (StatusCodes.Status409Conflict, "conflict", "This conflicts with a change made at the same moment. Reload and try again.", null),
            _ when DatabaseErrors.IsBusy(exception) =>
                (StatusCodes.Status503ServiceUnavailable, "busy", "The database is busy. Try again in a few seconds.", null),
            _ when DatabaseErrors.IsUnavailable(exception) =>
                (StatusCodes.Status503ServiceUnavailable, "unavailable", "The database cannot be reached just now. Try again in a few seconds.", null),
            _ => (0, "", "", null),
        };
        if (status == 0) return false;
        if (status >= 500) log.LogWarning(exception, "Answered {Status} {Code}", status, code);
        else
        {
            log.LogInformation("Refused {Method} {Path}: {Status} {Code}", http.Request.Method, http.Request.Path.Value, status, code);
            metrics.Refused(code);
        }

        http.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = BusyRetryAfterSeconds;
        var problem = new ProblemDetails { Status = status, Detail = detail, Title = TitleOf(status) };
        problem.Extensions["code"] = code;
        if (errors is { Count: > 0 }) problem.Extensions["errors"] = errors;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    public static int StatusOf(RefusalCode code) => code switch
    {
        RefusalCode.Validation => StatusCodes.Status400BadRequest,
        RefusalCode.NotFound => StatusCodes.Status404NotFound,
        RefusalCode.NotApprover or RefusalCode.OwnProposal or RefusalCode.NotAuthor or RefusalCode.Forbidden => StatusCodes.Status403Forbidden,
        RefusalCode.Inactive => StatusCodes.Status401Unauthorized,
        RefusalCode.TooLarge => StatusCodes.Status413PayloadTooLarge,
        RefusalCode.AlreadyApproved or RefusalCode.NotApproved or RefusalCode.NotOpen or RefusalCode.NotExecuted or RefusalCode.Conflict or RefusalCode.LastAdmin => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary><c>NotApprover</c> → <c>not-approver</c>.</summary>
    public static string CodeOf(RefusalCode code) =>
        string.Concat(code.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static string TitleOf(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => "Error",
    };

    /// <summary>A <c>code</c> for problems the framework writes itself (404 on an unknown route, 401 on no sign-in, validation).</summary>
    public static string CodeOfStatus(int? status) => status switch
    {
        400 => "validation",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        409 => "conflict",
        413 => "too-large",
        415 => "unsupported-media-type",
        429 => "busy",
        503 => "busy",
        _ => "error",
    };
}
