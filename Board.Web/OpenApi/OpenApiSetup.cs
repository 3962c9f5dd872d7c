using Board.Web.Auth;

namespace Board.Web.OpenApi;

public static class OpenApiSetup
{
    /// <summary>
    /// The API's own description (and, in Development, its interactive reference) is for developers; elsewhere it is
    /// for administrators only.
    /// </summary>
    public static WebApplication MapBoardOpenApi(this WebApplication app)
    {
        if (app.Environment.IsDevelopment()) app.MapOpenApi();
        else app.MapOpenApi().RequireAuthorization().RequireMemberRole(Domain.Members.Roles.Admin);
        app.MapApiReference(app.Environment);
        return app;
    }
}
