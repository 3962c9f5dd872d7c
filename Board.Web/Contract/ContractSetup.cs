using Board.Domain;

namespace Board.Web.Contract;

/// <summary>
/// The API's description at <c>/openapi/v1.json</c>, generated from the endpoints themselves: their names and summaries
/// (<c>WithName</c>, <c>WithSummary</c>), their authorization, rate limiting and declared refusals (<see cref="Refuses"/>),
/// their request and response types. The transformers add what every operation of a kind shares, so an endpoint added
/// later is described by the same rules without anyone writing its problems by hand.
/// </summary>
public static class ContractSetup
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddApiContract(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, o =>
        {
            o.AddOperationTransformer<OperationContract>();
            o.AddDocumentTransformer<DocumentContract>();
            o.AddDocumentTransformer<SchemaLimits>();
        });

    /// <summary>
    /// The rule's refusals this endpoint can answer with, beyond those every endpoint of its kind can give: each
    /// becomes a documented problem response with its status and <c>code</c>.
    /// </summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, params RefusalCode[] codes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var group in codes.GroupBy(Problems.RefusalHandler.StatusOf))
            builder.WithMetadata(new ProblemCodesMetadata(group.Key, [.. group.Select(Problems.RefusalHandler.CodeOf)]));
        return builder;
    }

    /// <summary>Problem codes this endpoint answers with that are not the rule's refusals (sign-in's <c>invalid-credentials</c>).</summary>
    public static TBuilder ProducesProblemCodes<TBuilder>(this TBuilder builder, int status, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemCodesMetadata(status, codes));
}

/// <summary>Endpoint metadata: problem responses with these codes, beyond those every endpoint of its kind can give.</summary>
public sealed record ProblemCodesMetadata(int Status, IReadOnlyList<string> Codes);
