using Board.Web.Persistence;
using Microsoft.AspNetCore.Identity;

namespace Board.Web.Auth;

/// <summary>A password hash no password matches: a sign-in for an unknown email verifies against it, so it costs what a real one costs.</summary>
public sealed class UnknownAccount
{
    private static readonly MemberAccount Nobody = new();
    private string? _hash;

    /// <summary>Always false, after the same work as checking a real account's password.</summary>
    public bool Verify(IPasswordHasher<MemberAccount> hasher, string password)
    {
        // Hashed with the app's own hasher (and so its iteration count), the first time it is needed.
        _hash ??= hasher.HashPassword(Nobody, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        hasher.VerifyHashedPassword(Nobody, _hash, password);
        return false;
    }
}
