using System.Text.Json;

namespace Board.Tests.Operations;

/// <summary>The API's description stays true: every public route of the contract is in it.</summary>
[Trait("Kind", "Api")]
public sealed class OpenApiTests(BoardApp app) : IClassFixture<BoardApp>
{
    public static TheoryData<string, string> Routes => new()
    {
        { "post", "/api/auth/login" },
        { "post", "/api/auth/logout" },
        { "get", "/api/me" },
        { "get", "/api/boards" },
        { "post", "/api/boards" },
        { "get", "/api/boards/{boardId}" },
        { "put", "/api/boards/{boardId}/policy" },
        { "get", "/api/boards/{boardId}/proposals" },
        { "post", "/api/boards/{boardId}/proposals" },
        { "get", "/api/proposals/{id}" },
        { "put", "/api/proposals/{id}" },
        { "post", "/api/proposals/{id}/approvals" },
        { "delete", "/api/proposals/{id}/approvals/me" },
        { "post", "/api/proposals/{id}/withdraw" },
        { "post", "/api/proposals/{id}/complete" },
        { "post", "/api/proposals/{id}/comments" },
        { "get", "/api/boards/{boardId}/events" },
        { "get", "/api/audit" },
        { "get", "/api/audit/verify" },
        { "get", "/api/members" },
        { "post", "/api/members" },
        { "put", "/api/members/{id}/roles" },
        { "get", "/api/audit/export" },
        { "get", "/api/audit/head" },
        { "get", "/api/boards/{boardId}/webhooks" },
        { "post", "/api/boards/{boardId}/webhooks" },
        { "delete", "/api/webhooks/{id}" },
        { "get", "/api/webhooks/{id}/deliveries" },
        { "get", "/api/members/directory" },
        { "post", "/api/members/{id}/deactivate" },
        { "post", "/api/members/{id}/reactivate" },
        { "put", "/api/boards/{boardId}" },
        { "post", "/api/deliveries/{id}/redeliver" },
        { "get", "/api/me/notifications" },
        { "post", "/api/preview" },
        { "get", "/api/me/waiting" },
        { "get", "/api/me/proposals" },
        { "get", "/api/meta" },
        { "get", "/api/insights" },
    };

    [Fact]
    public async Task Document_NamesTheProposalListFilters()
    {
        using var client = app.Anonymous();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var parameters = document.RootElement.GetProperty("paths").GetProperty("/api/boards/{boardId}/proposals").GetProperty("get")
            .GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "status", "q", "page", "sort", "reverses" }, parameters.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Document_DescribesEveryContractRoute(string method, string path)
    {
        using var client = app.Anonymous();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing from /openapi/v1.json");
        Assert.True(item.TryGetProperty(method, out _), $"{method.ToUpperInvariant()} {path} is missing from /openapi/v1.json");
    }

    [Fact]
    public async Task Healthz_AnswersWithoutSignIn()
    {
        using var client = app.Anonymous();
        var health = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/healthz")).RootElement;
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }
}
