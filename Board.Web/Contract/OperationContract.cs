using System.Text.Json.Nodes;
using Board.Web.Auth;
using Board.Web.Problems;
using Board.Web.Security;
using Board.Web.Trail;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Board.Web.Contract;

/// <summary>
/// Per operation, from the endpoint's metadata: an <c>operationId</c> and summary (the endpoint's name and summary, or
/// made from its method and route), its security requirement, and every problem response it can give — 400 for input,
/// 401 where sign-in is needed, 403 where a role is, 404 where the route names something, 409 for writes, 413/415 for
/// bodies, 429 where a limit applies, 503 everywhere — each with the problem schema and its <c>code</c> values, plus
/// the rate-limit headers on limited routes.
/// </summary>
public sealed class OperationContract : IOpenApiOperationTransformer
{
    public const string ProblemContentType = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod ?? "GET";
        operation.OperationId ??= FallbackId(method, description.RelativePath ?? "");
        operation.Summary ??= Words(operation.OperationId);

        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var signedIn = !anonymous && (metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<AuthorizationPolicy>().Any());
        var roles = metadata.OfType<AuthorizationPolicy>().SelectMany(p => p.Requirements).OfType<MemberRoleRequirement>().SelectMany(r => r.Roles).ToList();
        var unsafeMethod = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method);
        var limit = metadata.OfType<DisableRateLimitingAttribute>().Any() ? null : metadata.OfType<EnableRateLimitingAttribute>().LastOrDefault()?.PolicyName;
        var headers = limit is not null && RateLimitHeaders.Describes(limit);
        var parameters = description.ParameterDescriptions;
        var inRoute = parameters.Any(p => p.Source == BindingSource.Path);
        var inQuery = parameters.Any(p => p.Source == BindingSource.Query);
        var hasBody = operation.RequestBody is not null;
        var document = context.Document!;

        var codes = new SortedDictionary<int, SortedSet<string>>();
        void Add(int status, params string[] values)
        {
            if (!codes.TryGetValue(status, out var set)) codes[status] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.UnionWith(values);
        }
        if (hasBody || inQuery || inRoute) Add(400, "validation");
        if (signedIn && unsafeMethod) Add(400, BrowserRequestGuard.ProblemCode);
        if (signedIn) Add(401, "unauthenticated", "inactive");
        if (roles.Count > 0) Add(403, "forbidden");
        if (inRoute) Add(404, "not-found");
        if (unsafeMethod) Add(409, "conflict");
        if (hasBody) { Add(413, "too-large"); Add(415, "unsupported-media-type"); }
        if (limit is not null) Add(429, limit == VerifyLimit.Policy ? "busy" : RateLimits.Code);
        Add(503, "busy", "unavailable");
        foreach (var declared in metadata.OfType<ProblemCodesMetadata>()) Add(declared.Status, [.. declared.Codes]);
        // Statuses the endpoint's own result types name (a NotFound in its Results<…>): problems too.
        foreach (var key in operation.Responses?.Keys.ToList() ?? [])
            if (int.TryParse(key, out var status) && status >= 400 && !codes.ContainsKey(status))
                Add(status, Problems.RefusalHandler.CodeOfStatus(status));

        operation.Responses ??= [];
        foreach (var (status, set) in codes)
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ProblemResponse(document, status, set, headers);
        if (headers)
        {
            foreach (var (key, response) in operation.Responses)
                if (key.StartsWith('2') && response is OpenApiResponse ok) AddRateLimitHeaders(document, ok);
            operation.Description = Join(operation.Description, $"Rate-limited (`{limit}`): answers carry `RateLimit-Policy` and `RateLimit`; beyond the limit, 429 with `Retry-After`.");
        }

        if (signedIn)
        {
            operation.Security =
            [
                Requirement(document, DocumentContract.BearerScheme),
                unsafeMethod ? Requirement(document, DocumentContract.CookieScheme, DocumentContract.AntiforgeryScheme) : Requirement(document, DocumentContract.CookieScheme),
            ];
            if (roles.Count > 0) operation.Description = Join(operation.Description, $"Needs the role {string.Join(" or ", roles.Select(r => $"`{r}`"))}.");
        }
        else
        {
            operation.Security = [];
        }
        return Task.CompletedTask;
    }

    private static OpenApiResponse ProblemResponse(OpenApiDocument document, int status, SortedSet<string> codes, bool limited)
    {
        var response = new OpenApiResponse
        {
            Description = $"{Problems.RefusalHandler.TitleOf(status)}: {string.Join(", ", codes.Select(c => $"`{c}`"))}.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemContentType] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        AllOf = [new OpenApiSchemaReference(DocumentContract.ProblemSchema, document)],
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = $"{status}", Maximum = $"{status}" },
                            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64, Enum = [.. codes.Select(c => (JsonNode)c)] },
                        },
                    },
                },
            },
        };
        if (status is 429 or 503)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[DocumentContract.RetryAfterHeader] = new OpenApiHeaderReference(DocumentContract.RetryAfterHeader, document);
        }
        // Refusals made before the limiter counts the request (401, 413) carry no state of it: only 429 promises the fields.
        if (limited && status == StatusCodes.Status429TooManyRequests) AddRateLimitHeaders(document, response);
        return response;
    }

    private static void AddRateLimitHeaders(OpenApiDocument document, OpenApiResponse response)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[RateLimitHeaders.PolicyHeader] = new OpenApiHeaderReference(RateLimitHeaders.PolicyHeader, document);
        response.Headers[RateLimitHeaders.StateHeader] = new OpenApiHeaderReference(RateLimitHeaders.StateHeader, document);
    }

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, params string[] schemes)
    {
        var requirement = new OpenApiSecurityRequirement();
        foreach (var scheme in schemes) requirement[new OpenApiSecuritySchemeReference(scheme, document)] = [];
        return requirement;
    }

    private static string Join(string? first, string second) => string.IsNullOrEmpty(first) ? second : $"{first}\n\n{second}";

    /// <summary><c>GET api/boards/{boardId}/webhooks</c> → <c>getBoardsWebhooks</c>: for an endpoint nobody named.</summary>
    internal static string FallbackId(string method, string route)
    {
        var words = route.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != "api" && !s.StartsWith('{'))
            .SelectMany(s => s.Split('-', '.', '_'))
            .Where(w => w.Length > 0)
            .Select(w => char.ToUpperInvariant(w[0]) + w[1..]);
        return method.ToLowerInvariant() + string.Concat(words);
    }

    /// <summary><c>approveProposal</c> → "Approve proposal".</summary>
    internal static string Words(string id)
    {
        var text = string.Concat(id.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));
        return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
    }
}
