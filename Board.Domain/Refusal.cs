namespace Board.Domain;

/// <summary>Every way the rule can say no. The host maps each to an HTTP status and a problem <c>code</c>.</summary>
public enum RefusalCode
{
    /// <summary>The input breaks a limit; see <see cref="Refusal.Errors"/>.</summary>
    Validation,
    /// <summary>The thing named does not exist.</summary>
    NotFound,
    /// <summary>The member does not hold the role that approves on this proposal.</summary>
    NotApprover,
    /// <summary>Authors cannot approve their own proposal.</summary>
    OwnProposal,
    /// <summary>The member already approved this proposal.</summary>
    AlreadyApproved,
    /// <summary>The member has no approval on this proposal to take back.</summary>
    NotApproved,
    /// <summary>The proposal is no longer open.</summary>
    NotOpen,
    /// <summary>The proposal is not executed, so it cannot be marked done.</summary>
    NotExecuted,
    /// <summary>Only the author may do this.</summary>
    NotAuthor,
    /// <summary>The member lacks the role this needs.</summary>
    Forbidden,
    /// <summary>The member is deactivated.</summary>
    Inactive,
    /// <summary>Someone else changed the same thing first.</summary>
    Conflict,
    /// <summary>The change would leave no active administrator.</summary>
    LastAdmin,
    /// <summary>The upload is larger than its limit.</summary>
    TooLarge,
}

/// <summary>A refusal by the rule: nothing was changed.</summary>
public sealed class Refusal(RefusalCode code, string? detail = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(detail ?? code.ToString())
{
    /// <summary>Which rule said no.</summary>
    public RefusalCode Code { get; } = code;

    /// <summary>Field errors, for <see cref="RefusalCode.Validation"/>.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    /// <summary>A validation refusal for one field.</summary>
    public static Refusal Invalid(string field, string message) =>
        new(RefusalCode.Validation, message, new Dictionary<string, string[]> { [field] = [message] });
}
