using Microsoft.AspNetCore.Http.HttpResults;

namespace Board.Web.Problems;

/// <summary>Errors that are not the rule's refusals (sign-in), shaped like every other problem.</summary>
public static class Problems
{
    public static ProblemHttpResult Unauthorized(string code, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
