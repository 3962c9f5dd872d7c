using Board.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Board.Web.Demo;

public static class DemoEndpoints
{
    public static IEndpointRouteBuilder MapDemo(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/demo", DemoSignIns).WithName("listDemoSignIns").WithSummary("List the demo sign-ins (Development with demo data only)").WithTags("Auth").AllowAnonymous();
        return app;
    }

    /// <summary>The demo sign-ins, for the sign-in page to list — in Development with demo data only.</summary>
    static Results<Ok<DemoSignInsDto>, NotFound> DemoSignIns(IHostEnvironment environment, IConfiguration configuration) =>
        environment.IsDevelopment() && configuration.GetValue("Demo:Seed", true)
            ? TypedResults.Ok(new DemoSignInsDto(DemoSeeder.Password, DemoSeeder.SignIns))
            : TypedResults.NotFound();
}
