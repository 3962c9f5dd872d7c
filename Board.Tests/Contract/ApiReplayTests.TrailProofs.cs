using Board.Web.Trail;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Contract;

public sealed partial class ApiReplayTests
{
    private async Task ReplayTrailProofsAsync(HttpClient anonymous, Session staff)
    {
        await Send(anonymous, "GET", "/api/audit/key", 200);
        // One made now (unless the background writer just made it): the trail has grown since any earlier one.
        await app.Services.GetRequiredService<CheckpointWriter>().MakeAsync(force: true, default);
        await Send(anonymous, "GET", "/api/audit/checkpoint", 200);

        var listed = await Send(staff.Client, "GET", "/api/audit/checkpoints", 200, query: "?after=0");
        var size = listed!.AsArray()[^1]!["size"]!.GetValue<long>();
        await Send(staff.Client, "GET", "/api/audit/checkpoints", 400, "validation", query: "?after=-1");
        await Send(anonymous, "GET", "/api/audit/checkpoints", 401, "unauthenticated");

        const string inclusion = "/api/audit/proof/inclusion", consistency = "/api/audit/proof/consistency";
        await Send(staff.Client, "GET", inclusion, 200, query: $"?seq=1&size={size}");
        await Send(staff.Client, "GET", inclusion, 200, query: "?seq=1");
        await Send(staff.Client, "GET", inclusion, 400, "validation", query: "?seq=0");
        await Send(staff.Client, "GET", inclusion, 400, "validation", query: $"?seq={size + 1}&size={size}");
        await Send(anonymous, "GET", inclusion, 401, "unauthenticated", query: "?seq=1");
        await Send(staff.Client, "GET", consistency, 200, query: $"?from=1&to={size}");
        await Send(staff.Client, "GET", consistency, 400, "validation", query: $"?from={size}&to=1");
        await Send(staff.Client, "GET", consistency, 400, "validation", query: "?to=1");
        await Send(anonymous, "GET", consistency, 401, "unauthenticated", query: "?from=1");

        await Send(staff.Client, "GET", "/api/audit/verify", 200, query: "?full=true");
    }
}
