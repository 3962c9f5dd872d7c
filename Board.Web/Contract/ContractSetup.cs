namespace Board.Web.Contract;

/// <summary>
/// The API's description at <c>/openapi/v1.json</c>, generated from the endpoints themselves: their names and summaries
/// (<c>WithName</c>, <c>WithSummary</c>), their authorization, rate limiting and declared refusals (<see cref="Refuses"/>),
/// their request and response types (the refusals an endpoint declares are metadata from Problems/ProblemMetadata.cs). The transformers add what every operation of a kind shares, so an endpoint added
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
}
