using System.Text.Json.Nodes;
using Board.Web.Auth;
using Board.Web.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Board.Web.Contract;

/// <summary>
/// What the whole document shares: its title, contact and server, the two ways to authenticate (a bearer token, or
/// the browser's cookie with its antiforgery header on writes), the problem-details schema every refusal uses, and
/// the rate-limit headers.
/// </summary>
public sealed class DocumentContract(IConfiguration configuration, IHostEnvironment environment) : IOpenApiDocumentTransformer
{
    public const string ProblemSchema = "Problem";
    public const string BearerScheme = "bearer";
    public const string CookieScheme = "cookie";
    public const string AntiforgeryScheme = "antiforgery";
    public const string RetryAfterHeader = "Retry-After";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var server = document.Servers?.FirstOrDefault()?.Url;
        document.Info = new OpenApiInfo
        {
            Title = "Board API",
            Version = "1",
            Description = "An open decision board: members post proposals; once the board's quorum of approvers has approved one, "
                + "it executes at once, and every change lands in a public, tamper-evident audit trail. Errors are RFC 9457 problem "
                + "details with a `code`; writes and sign-in are rate-limited (`RateLimit-Policy`, `RateLimit`, `Retry-After`).",
            Contact = new OpenApiContact
            {
                Name = configuration["OpenApi:Contact:Name"] ?? "Board operators",
                Email = configuration["OpenApi:Contact:Email"],
                Url = Uri.TryCreate(configuration["OpenApi:Contact:Url"] ?? server, UriKind.Absolute, out var url) ? url : null,
            },
            License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
        };
        foreach (var s in document.Servers ?? [])
        {
            s.Description = $"This Board server ({(environment.IsProduction() ? "production" : environment.IsStaging() ? "staging" : "local")}, {environment.EnvironmentName})";
            s.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            s.Extensions["x-internal"] = new JsonNodeExtension(JsonValue.Create(false));
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "opaque",
            Description = "The `accessToken` from `signIn` (or `changePassword`), valid 12 hours; ended at once by sign-out, a password or role change, or deactivation.",
        };
        document.Components.SecuritySchemes[CookieScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = AuthSetup.CookieName,
            Description = "The browser's sign-in cookie set by `signIn`. Writes with it also need the antiforgery header.",
        };
        document.Components.SecuritySchemes[AntiforgeryScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = BrowserRequestGuard.HeaderName,
            Description = "The token from `getAntiforgeryToken`, required on cookie-authenticated writes.",
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Headers[RateLimitHeaders.PolicyHeader] = Header(
            "The limit that applies to this route (IETF RateLimit fields): `\"name\";q=quota;w=window seconds`.", "^\"[a-z-]+\";q=[0-9]+;w=[0-9]+$");
        document.Components.Headers[RateLimitHeaders.StateHeader] = Header(
            "What is left of it (IETF RateLimit fields): `\"name\";r=remaining;t=seconds until more`.", "^\"[a-z-]+\";r=[0-9]+;t=[0-9]+$");
        document.Components.Headers[RetryAfterHeader] = new OpenApiHeader
        {
            Description = "Seconds to wait before trying again.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "86400" },
        };
        return Task.CompletedTask;
    }

    private static OpenApiHeader Header(string description, string pattern) => new()
    {
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200, Pattern = pattern },
    };

    /// <summary>RFC 9457 problem details as Board writes them: always a <c>status</c> and a <c>code</c>.</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A refusal or an error (RFC 9457 problem details). `code` says which, for a program; `detail` says it for a person.",
        Required = new HashSet<string> { "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2048 },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2000 },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2048 },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64, Pattern = "^[a-z][a-z-]*$" },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64 },
            ["retryAfter"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "86400" },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Field errors, by the field's JSON name.",
                MaxProperties = 64,
                AdditionalProperties = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MaxItems = 32,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2000 },
                },
            },
        },
    };
}
