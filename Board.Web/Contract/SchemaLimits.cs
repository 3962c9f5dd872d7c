using System.Text.Json.Nodes;
using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Proposals;
using Board.Web.Webhooks;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Board.Web.Contract;

/// <summary>
/// The domain's limits and vocabulary on every schema and parameter, by the JSON name of the property: text lengths
/// from Board.Domain's constants, the rule's statuses, roles and actions as enums, page sizes as <c>maxItems</c>,
/// integers bounded. Numbers are numbers (the web serializer also reads them from strings; the contract does not ask
/// clients to).
/// </summary>
public sealed class SchemaLimits : IOpenApiDocumentTransformer
{
    public const int EmailMax = 256, HashLength = 64, TimeMax = 40;

    /// <summary>A note verifier key: a name of at most 200 characters, '+', 8 hex digits, '+', base64 of 33 bytes.</summary>
    public const int TrailKeyMax = 200 + 1 + 8 + 1 + 44;

    /// <summary>A Merkle hash (32 bytes) in base64.</summary>
    public const int Base64HashLength = (MerkleTree.HashSize + 2) / 3 * 4;

    /// <summary>An RFC 9162 proof has a hash per level of the tree, and a consistency proof at most two: a tree of a 64-bit size has 64 levels.</summary>
    public const int ProofHashesMax = 2 * 64;


    private static readonly string[] ProposalStatuses = [.. System.Enum.GetNames<ProposalStatus>().Select(n => n.ToLowerInvariant())];
    private static readonly string[] DeliveryStatuses = [.. System.Enum.GetNames<DeliveryStatus>().Select(n => n.ToLowerInvariant())];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
            if (schema is OpenApiSchema s)
                foreach (var (property, value) in s.Properties ?? new Dictionary<string, IOpenApiSchema>())
                    if (value is OpenApiSchema p) Limit(name, property, p);
        // The uploaded file (multipart): at most the photo upload limit, in bytes.
        if (document.Components?.Schemas?.TryGetValue("IFormFile", out var upload) == true && upload is OpenApiSchema file) file.MaxLength = (int)Attachment.UploadMaxBytes;
        foreach (var operation in document.Paths.Values.Where(p => p.Operations is not null).SelectMany(p => p.Operations!.Values))
        {
            foreach (var parameter in operation.Parameters ?? [])
                if (parameter is OpenApiParameter { Schema: OpenApiSchema p } named) Limit(operation.OperationId ?? "", named.Name ?? "", p);
            // Form fields are described inline in the request body (multipart), not as components.
            foreach (var media in operation.RequestBody?.Content?.Values ?? [])
                foreach (var part in Parts(media.Schema))
                    foreach (var (property, value) in part.Properties ?? new Dictionary<string, IOpenApiSchema>())
                        if (value is OpenApiSchema p) Limit(operation.OperationId ?? "", property, p);
            // Plain-text answers the server makes: their longest.
            if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse { Content: { } text }
                && text.TryGetValue("text/plain", out var plainText) && plainText.Schema is OpenApiSchema plain && TextLimit(operation.OperationId) is { } most)
                plain.MaxLength = most;
        }
        foreach (var operation in document.Paths.Values.Where(p => p.Operations is not null).SelectMany(p => p.Operations!.Values))
            if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse { Content: { } content })
                foreach (var media in content.Values)
                    if (media.Schema is OpenApiSchema { Type: { } t } list && (t & JsonSchemaType.Array) != 0 && ListLimit(operation.OperationId) is { } max)
                        list.MaxItems = max;
        return Task.CompletedTask;
    }

    private static IEnumerable<OpenApiSchema> Parts(IOpenApiSchema? schema) => schema is OpenApiSchema s
        ? [s, .. (s.AllOf ?? []).SelectMany(Parts)]
        : [];

    /// <summary>The longest plain-text answer of an operation.</summary>
    private static int? TextLimit(string? operationId) => operationId switch
    {
        "getTrailKey" => TrailKeyMax,
        "getLatestCheckpoint" => Trail.TrailCheckpoint.TextMax,
        _ => null,
    };

    /// <summary>The most items an operation that answers with a bare list returns.</summary>
    private static int? ListLimit(string? operationId) => operationId switch
    {
        "listBoardEvents" => Trail.TrailEndpoints.MaxLimit,
        "listNotifications" => Notifications.NotificationsEndpoints.MaxLimit,
        "listCheckpoints" => Trail.ProofEndpoints.MaxCheckpoints,
        _ => null,
    };

    private static void Limit(string owner, string name, OpenApiSchema p)
    {
        var nullable = (p.Type & JsonSchemaType.Null) != 0;
        if (p.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            p.Type = type & ~JsonSchemaType.String;
            p.Pattern = null;
        }
        if (Is(p, JsonSchemaType.Object) && p.AdditionalProperties is OpenApiSchema values) LimitVocabulary(owner, name, p, values);
        else if (Is(p, JsonSchemaType.Integer)) LimitInteger(owner, name, p);
        else if (Is(p, JsonSchemaType.Number)) { p.Minimum ??= "0"; }
        else if (Is(p, JsonSchemaType.Array)) LimitArray(owner, name, p);
        else if (Is(p, JsonSchemaType.String) && p.Format is "uuid") p.MaxLength = 36;
        else if (Is(p, JsonSchemaType.String) && p.Format is "date-time" or "date") p.MaxLength = TimeMax;
        else if (Is(p, JsonSchemaType.String) && p.Format is null or "" && p.Enum is not { Count: > 0 }) LimitString(owner, name, p, nullable);
    }

    private static bool Is(OpenApiSchema p, JsonSchemaType type) => p.Type is { } t && (t & type) != 0;

    private static void LimitString(string owner, string name, OpenApiSchema p, bool nullable)
    {
        switch (name)
        {
            case "status" when owner.StartsWith("Proposal", StringComparison.Ordinal):
                Enum(p, ProposalStatuses, nullable); return;
            case "status" when owner.StartsWith("Delivery", StringComparison.Ordinal):
                Enum(p, DeliveryStatuses, nullable); return;
            case "approverRole" when !owner.EndsWith("Request", StringComparison.Ordinal):
                Enum(p, Roles.All, nullable); return;
            case "status" when owner == "listDeliveries":
                Enum(p, DeliveryStatuses, nullable); return;
            case "status":
                // A comma-separated list of proposal statuses (open,executed).
                p.MaxLength = ProposalStatuses.Sum(s => s.Length + 1);
                p.Pattern = $"^(({string.Join("|", ProposalStatuses)}),?)*$";
                return;
            case "action":
                Enum(p, TrailActions.All, nullable); return;
            case "format" when owner == "exportTrail":
                Enum(p, Trail.TrailExport.Formats, nullable); return;
            case "format" when owner == "getInsights":
                Enum(p, ["json", "csv"], nullable); return;
            case "sort" when owner == "listProposals":
                Enum(p, ["posted", "oldest", "executed"], nullable); return;
            case "size" when owner == "getAttachment":
                Enum(p, ["thumb", "full"], nullable); return;
            case "contentType" when owner == "AttachmentDto":
                Enum(p, Attachments.AttachmentsEndpoints.PhotoTypes, nullable); return;
            case "leafHash":
                Base64Hash(p); return;
            case "hash" or "prevHash" or "headHash" or "head" or "sha256":
                p.MaxLength = HashLength;
                p.Pattern = "^([0-9a-f]{64})?$";
                return;
        }
        int? max = name switch
        {
            "title" => Proposal.TitleMax,
            "body" => owner.StartsWith("Comment", StringComparison.Ordinal) || owner == "addComment" ? Comment.BodyMax : Proposal.BodyMax,
            "excerpt" => ProposalSummaryDto.ExcerptLength + 1,
            "note" or "completionNote" => Proposal.NoteMax,
            "name" when owner.StartsWith("Board", StringComparison.Ordinal) || owner.Contains("BoardRequest", StringComparison.Ordinal) => Domain.Boards.Board.NameMax,
            "name" or "displayName" or "completedBy" => Member.NameMax,
            "boardName" => Domain.Boards.Board.NameMax,
            "approverRole" => 32,
            "email" or "password" or "current" or "new" => EmailMax,
            "secret" => Webhook.SecretMax,
            "url" => Webhook.UrlMax,
            "error" or "lastError" => WebhookAttempt.ErrorMax,
            "at" => TimeMax,
            "q" => ProposalsEndpoints.SearchMax,
            "bucket" or "week" => 16,
            "alt" => Attachment.AltMax,
            "checkpoint" => Trail.TrailCheckpoint.TextMax,
            "endpoint" => Push.PushDevice.EndpointMax,
            // Base64url of the device's P-256 point (65 bytes) and auth secret (16 bytes), padded at most.
            "publicKey" or "p256dh" => (Push.PushDevice.PublicKeyBytes + 2) / 3 * 4,
            "auth" => (Push.PushDevice.AuthBytes + 2) / 3 * 4,
            _ => null,
        };
        if (max is { } m) p.MaxLength = Math.Min(p.MaxLength ?? int.MaxValue, m);
    }

    private static void LimitArray(string owner, string name, OpenApiSchema p)
    {
        var items = p.Items as OpenApiSchema;
        switch (name)
        {
            case "roles":
                p.MaxItems = Roles.All.Count;
                p.UniqueItems = true;
                if (items is not null) Enum(items, Roles.All, false);
                return;
            case "actions":
                p.MaxItems = TrailActions.All.Count;
                p.UniqueItems = true;
                if (items is not null) Enum(items, TrailActions.All, false);
                return;
            case "administer" or "review" or "complete" when owner == "MayDto":
                p.MaxItems = Roles.All.Count;
                p.UniqueItems = true;
                if (items is not null) Enum(items, Roles.All, false);
                return;
            case "hashes":
                p.MaxItems = ProofHashesMax;
                if (items is not null) Base64Hash(items);
                return;
            case "statuses":
                p.MaxItems = ProposalStatuses.Length;
                if (items is not null) Enum(items, ProposalStatuses, false);
                return;
        }
        int? max = (owner, name) switch
        {
            ("ProposalPage", "items") => LongestProposalPage,
            ("TrailPage", "items") => TrailEndpointsLimit,
            ("DeliveryPage", "items") => WebhooksEndpoints.PageSize,
            ("InsightsDto", "weeks") => Insights.InsightsEndpoints.MaxDays / 7 + 2,
            ("InsightsDto", "openByAge") => Insights.InsightsCalculator.AgeBucketCount,
            (_, "attachments") => Attachment.PerProposalMax,
            _ => null,
        };
        if (max is { } m) p.MaxItems = m;
    }

    /// <summary>A board's list pages by 50; what waits for a member comes as one list of at most 200.</summary>
    private const int LongestProposalPage = ProposalsEndpoints.PageSize > Me.MeEndpoints.MaxItems ? ProposalsEndpoints.PageSize : Me.MeEndpoints.MaxItems;

    private const int TrailEndpointsLimit = Trail.TrailEndpoints.MaxLimit;

    private static void LimitInteger(string owner, string name, OpenApiSchema p)
    {
        (string Min, string Max) range = name switch
        {
            "approvalsRequired" => ($"{BoardPolicy.MinApprovals}", $"{BoardPolicy.MaxApprovals}"),
            "minApprovals" or "maxApprovals" => ($"{BoardPolicy.MinApprovals}", $"{BoardPolicy.MaxApprovals}"),
            "expiresAfterDays" or "maxExpiryDays" => ("0", $"{BoardPolicy.MaxExpiryDays}"),
            "page" => ("1", $"{ProposalsEndpoints.MaxPage}"),
            "pageSize" => ("1", $"{LongestProposalPage}"),
            "limit" => ("1", $"{Trail.TrailEndpoints.MaxLimit}"),
            "statusCode" or "lastStatusCode" => ("100", "599"),
            _ => ("0", p.Format == "int64" ? $"{long.MaxValue}" : $"{int.MaxValue}"),
        };
        p.Minimum ??= range.Min;
        p.Maximum ??= range.Max;
        p.Format ??= "int32";
    }

    /// <summary>The rule's vocabulary as a map from each value to itself (<c>MetaDto.role</c>): keys and values are the values.</summary>
    private static void LimitVocabulary(string owner, string name, OpenApiSchema p, OpenApiSchema values)
    {
        IReadOnlyCollection<string>? vocabulary = (owner, name) switch
        {
            ("MetaDto", "role") => Roles.All,
            ("MetaDto", "action") => TrailActions.All,
            ("MetaDto", "status") => ProposalStatuses,
            _ => null,
        };
        if (vocabulary is null) return;
        p.MaxProperties = vocabulary.Count;
        Enum(values, vocabulary, false);
    }

    private static void Base64Hash(OpenApiSchema p)
    {
        p.MinLength = Base64HashLength;
        p.MaxLength = Base64HashLength;
        p.Pattern = "^[A-Za-z0-9+/]{43}=$";
    }

    private static void Enum(OpenApiSchema p, IEnumerable<string> values, bool nullable)
    {
        p.Enum = [.. values.Select(v => (JsonNode)v)];
        if (nullable) p.Enum.Add(null!);
        p.MaxLength = null;
    }
}
