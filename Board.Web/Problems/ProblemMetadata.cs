using Board.Domain;

namespace Board.Web.Problems;

/// <summary>
/// What an endpoint declares about the problems it answers with, beyond those every endpoint of its kind can give:
/// metadata that the API's description (Contract/) turns into documented problem responses. It sits with the
/// refusal handler, below every feature, so that each feature's endpoints can declare theirs.
/// </summary>
public static class ProblemMetadata
{
    /// <summary>
    /// The rule's refusals this endpoint can answer with, beyond those every endpoint of its kind can give: each
    /// becomes a documented problem response with its status and <c>code</c>.
    /// </summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, params RefusalCode[] codes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var group in codes.GroupBy(RefusalHandler.StatusOf))
            builder.WithMetadata(new ProblemCodesMetadata(group.Key, [.. group.Select(RefusalHandler.CodeOf)]));
        return builder;
    }

    /// <summary>Problem codes this endpoint answers with that are not the rule's refusals (sign-in's <c>invalid-credentials</c>).</summary>
    public static TBuilder ProducesProblemCodes<TBuilder>(this TBuilder builder, int status, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemCodesMetadata(status, codes));
}

/// <summary>Endpoint metadata: problem responses with these codes, beyond those every endpoint of its kind can give.</summary>
public sealed record ProblemCodesMetadata(int Status, IReadOnlyList<string> Codes);
