using Board.Domain;
using Microsoft.AspNetCore.Identity;

namespace Board.Web.Auth;

/// <summary>What ASP.NET Core Identity refused, as a validation refusal with its field errors.</summary>
public static class IdentityResults
{
    public static void ThrowIfFailed(IdentityResult result)
    {
        if (result.Succeeded) return;
        var errors = result.Errors
            .GroupBy(e => e.Code.Contains("Password", StringComparison.Ordinal) ? "password"
                : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email" : "member")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        throw new Refusal(RefusalCode.Validation, "The member is not valid.", errors);
    }
}
